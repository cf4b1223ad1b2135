package org.ferrymq.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.ferrymq.ra.SecurityRuntime;

/**
 * The {@code Origin} check of the MQTT WebSocket endpoint on Liberty's HTTP(S) ports: the same
 * policy as the adapter's ws/wss listeners ({@link org.ferrymq.security.OriginPolicy}, setting
 * {@code mqtt.websocket.allowed-origins}). A filter, not the endpoint configurator's
 * {@code checkOrigin}, because the default (the page's own host) needs the request's
 * {@code Host} header, which {@code checkOrigin} does not see. A refused upgrade gets 403 before
 * the handshake (RFC 6455 4.2.2).
 */
@WebFilter(urlPatterns = "/mqtt", asyncSupported = true)
public class WebSocketOriginFilter extends HttpFilter {
  private static final long serialVersionUID = 1L;

  @Override
  protected void doFilter(HttpServletRequest request, HttpServletResponse response,
      FilterChain chain) throws IOException, ServletException {
    boolean allowed = SecurityRuntime.current()
        .map(s -> s.origins().allows(request.getHeader("Origin"), request.getHeader("Host")))
        // no broker running: the endpoint refuses the session itself
        .orElse(true);
    if (!allowed) {
      response.sendError(HttpServletResponse.SC_FORBIDDEN,
          "this page's origin may not open an MQTT WebSocket (mqtt.websocket.allowed-origins)");
      return;
    }
    chain.doFilter(request, response);
  }
}
