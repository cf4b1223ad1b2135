package org.ferrymq.web;

import jakarta.websocket.server.ServerEndpointConfig;
import java.util.List;

/**
 * Picks the subprotocol: the first one the client offers that the endpoint supports, or none,
 * in which case the endpoint closes the connection.
 */
public class MqttWebSocketConfigurator extends ServerEndpointConfig.Configurator {

  @Override
  public String getNegotiatedSubprotocol(List<String> supported, List<String> requested) {
    for (String offer : requested) {
      if (supported.contains(offer)) {
        return offer;
      }
    }
    return "";
  }
}
