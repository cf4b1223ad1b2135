package org.ferrymq.ra;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.ferrymq.ra.AdapterSettings.Property;
import org.ferrymq.transport.netty.ServerSslConfig;
import org.ferrymq.transport.netty.TlsSettings;
import org.ferrymq.transport.netty.WebSocketSettings;
import org.junit.jupiter.api.Test;

/** Which listeners the adapter assembles; none is bound here (no server is needed for that). */
class MqttListenersTest {

  private static final ServerSslConfig TLS = new ServerSslConfig("defaultSSLConfig", () -> {
    throw new IllegalStateException("not used without a handshake");
  }, TlsSettings.ClientAuth.NONE, List.of(), List.of());
  private static final WebSocketSettings WEB_SOCKET = WebSocketSettings.forMaxPacketSize(1024);

  private static List<String> names(MqttListeners listeners) {
    return listeners.all().stream().map(ListenerControl::getName).toList();
  }

  @Test
  void theDevProfileServesAllFour() {
    MqttListeners sut = MqttListeners.assemble(null, AdapterSettings.builder().build(), true,
        TLS, WEB_SOCKET);

    assertEquals(List.of("mqtt", "mqtts", "mqtt-ws", "mqtt-wss"), names(sut));
    assertEquals(List.of(1883, 8883, 8083, 8084),
        sut.all().stream().map(ListenerControl::getPort).toList());
    assertEquals("MQTT on localhost:1883, MQTT/TLS on localhost:8883, ws on localhost:8083/mqtt, "
        + "wss on localhost:8084/mqtt", sut.summary());
  }

  @Test
  void theSecureProfileBindsNeitherPlainTcpNorWs() {
    MqttListeners sut = MqttListeners.assemble(null,
        AdapterSettings.builder().set(Property.HOST, "*").build(), false, TLS, WEB_SOCKET);

    assertEquals(List.of("mqtts", "mqtt-wss"), names(sut));
    assertEquals("MQTT on not served (secure profile), MQTT/TLS on *:8883, ws on not served "
        + "(secure profile), wss on *:8084/mqtt", sut.summary());
  }

  @Test
  void portZeroSwitchesAWebSocketListenerOff() {
    MqttListeners sut = MqttListeners.assemble(null,
        AdapterSettings.builder().set(Property.HOST, "127.0.0.1").set(Property.WS_PORT, "0")
            .set(Property.WSS_PORT, "0").build(), true,
        TLS, WEB_SOCKET);

    assertEquals(List.of("mqtt", "mqtts"), names(sut));
    assertEquals("MQTT on 127.0.0.1:1883, MQTT/TLS on 127.0.0.1:8883, ws on off, wss on off",
        sut.summary());
  }

  @Test
  void nothingIsAcceptingBeforeStart() {
    MqttListeners sut = MqttListeners.assemble(null, AdapterSettings.builder().build(), true,
        TLS, WEB_SOCKET);

    sut.stopAll();

    assertEquals(List.of(false, false, false, false),
        sut.all().stream().map(ListenerControl::isAccepting).toList());
  }
}
