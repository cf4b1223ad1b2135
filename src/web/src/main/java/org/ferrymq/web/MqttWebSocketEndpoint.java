package org.ferrymq.web;

import jakarta.websocket.CloseReason;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.OnClose;
import jakarta.websocket.OnError;
import jakarta.websocket.OnMessage;
import jakarta.websocket.OnOpen;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerEndpoint;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.ferrymq.ra.BrokerRuntime;
import org.ferrymq.transport.InboundHandler;
import org.ferrymq.transport.TransportInfo;

/**
 * MQTT over WebSocket at {@code /mqtt}: binary messages carry the MQTT byte stream, packets may be
 * split across or packed into messages. Subprotocol negotiation follows the WebSocket default,
 * the first of the client's offers that the server supports; MQTT 3.1.1 and 5.0 clients offer
 * {@code mqtt}, MQTT 3.1 clients {@code mqttv3.1}.
 *
 * <p>One endpoint instance per connection; the container calls it from one thread at a time.
 */
@ServerEndpoint(value = "/mqtt", subprotocols = {"mqtt", "mqttv3.1", "mqttv3.1.1"},
    configurator = MqttWebSocketConfigurator.class)
public class MqttWebSocketEndpoint {

  private static final Logger LOG = Logger.getLogger(MqttWebSocketEndpoint.class.getName());
  private static final int MAX_MESSAGE_BYTES = 268_435_460;

  private WebSocketTransport transport;
  private InboundHandler inbound;

  @OnOpen
  public void onOpen(Session session, EndpointConfig config) throws IOException {
    BrokerRuntime.Running running = BrokerRuntime.current().orElse(null);
    if (running == null) {
      session.close(new CloseReason(CloseReason.CloseCodes.TRY_AGAIN_LATER,
          "broker not running"));
      return;
    }
    if (session.getNegotiatedSubprotocol() == null
        || session.getNegotiatedSubprotocol().isEmpty()) {
      session.close(new CloseReason(CloseReason.CloseCodes.PROTOCOL_ERROR,
          "subprotocol mqtt required"));
      return;
    }
    session.setMaxBinaryMessageBufferSize(
        Math.min(MAX_MESSAGE_BYTES, running.broker().config().maxPacketSize() + 8));
    session.setMaxIdleTimeout(0);
    // Jakarta WebSocket exposes neither the peer address nor the client certificate chain.
    TransportInfo info = new TransportInfo(WebSocketTransport.kindOf(session), null);
    transport = new WebSocketTransport(session, info);
    inbound = new SerialInbound(running.broker().accept(transport));
    transport.handler(inbound);
  }

  @OnMessage
  public void onMessage(ByteBuffer data) throws InterruptedException {
    if (inbound != null) {
      int size = data.remaining();
      inbound.onBytes(data);
      // Backpressure: the container reads this connection's next message only after we return
      transport.awaitReadable(size);
    }
  }

  @OnClose
  public void onClose(Session session, CloseReason reason) {
    closed();
  }

  @OnError
  public void onError(Session session, Throwable error) {
    LOG.log(Level.FINE, "WebSocket MQTT connection failed", error);
    closed();
  }

  private void closed() {
    if (transport != null) {
      transport.markClosed();
    }
    if (inbound != null) {
      inbound.onClosed();
    }
  }
}
