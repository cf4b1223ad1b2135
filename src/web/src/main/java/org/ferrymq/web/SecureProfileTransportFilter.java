package org.ferrymq.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.eclipse.microprofile.config.ConfigProvider;
import org.ferrymq.ra.SecurityRuntime;

/**
 * The secure profile serves the web module over HTTPS only. On Liberty's plain HTTP port a page
 * of the dashboard is redirected to HTTPS (308, so nothing but the address travels in clear),
 * and everything that carries or asks for credentials (the admin API's Basic authentication,
 * the MQTT WebSocket whose CONNECT holds a password, any request but GET and HEAD) is refused
 * with 403 before any authentication challenge. Health and metrics belong to Liberty's
 * MicroProfile features, outside this module, and stay reachable for probes.
 */
@WebFilter(urlPatterns = "/*", asyncSupported = true)
public class SecureProfileTransportFilter extends HttpFilter {
  private static final long serialVersionUID = 1L;

  @Override
  protected void doFilter(HttpServletRequest request, HttpServletResponse response,
      FilterChain chain) throws IOException, ServletException {
    boolean tlsOnly = SecurityRuntime.current().map(s -> s.config().requiresTls())
        .orElse(false);
    if (!tlsOnly || request.isSecure()) {
      chain.doFilter(request, response);
      return;
    }
    String path = request.getRequestURI().substring(request.getContextPath().length());
    boolean page = ("GET".equals(request.getMethod()) || "HEAD".equals(request.getMethod()))
        && !path.startsWith("/api") && !path.equals("/mqtt")
        && request.getHeader("Authorization") == null;
    if (!page) {
      response.sendError(HttpServletResponse.SC_FORBIDDEN, "the secure profile serves this over "
          + "HTTPS only (wss:// for MQTT)");
      return;
    }
    int httpsPort = ConfigProvider.getConfig().getOptionalValue("https.port", Integer.class)
        .orElse(443);
    String query = request.getQueryString();
    response.setStatus(308);
    response.setHeader("Location", "https://" + request.getServerName()
        + (httpsPort == 443 ? "" : ":" + httpsPort) + request.getRequestURI()
        + (query == null ? "" : "?" + query));
  }
}
