package org.ferrymq.engine;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.ferrymq.codec.MqttEncoder;
import org.ferrymq.packet.ConnAck;
import org.ferrymq.packet.Connect;
import org.ferrymq.packet.Packet;
import org.ferrymq.packet.Properties;
import org.ferrymq.packet.ProtocolVersion;
import org.ferrymq.packet.PubAck;
import org.ferrymq.packet.Publish;
import org.ferrymq.packet.QoS;
import org.ferrymq.packet.SubAck;
import org.ferrymq.packet.Subscribe;
import org.ferrymq.packet.Subscription;
import org.ferrymq.packet.Will;
import org.ferrymq.transport.InboundHandler;

/** A raw MQTT client over a {@link FakeTransport}: sends packets, takes what the broker sends. */
final class TestClient {
  final FakeTransport transport;
  final InboundHandler inbound;
  final ProtocolVersion version;
  private int nextPacketId = 1;

  TestClient(MqttBroker broker, ProtocolVersion version) {
    this.version = version;
    this.transport = new FakeTransport(version);
    this.inbound = broker.accept(transport);
  }

  static TestClient connect(MqttBroker broker, ProtocolVersion version, String clientId,
      boolean cleanStart) {
    return connect(broker, version, clientId, cleanStart, null, Properties.EMPTY);
  }

  static TestClient connect(MqttBroker broker, ProtocolVersion version, String clientId,
      boolean cleanStart, Will will, Properties properties) {
    TestClient c = new TestClient(broker, version);
    c.send(new Connect(version, clientId, cleanStart, 60, will, null, null, properties));
    ConnAck ack = c.expect(ConnAck.class);
    if (ack.reasonCode().isError()) {
      throw new AssertionError("CONNECT refused: " + ack);
    }
    return c;
  }

  void send(Packet p) {
    sendBytes(MqttEncoder.encode(p, version));
  }

  void sendBytes(ByteBuffer bytes) {
    inbound.onBytes(bytes);
  }

  void sendBytes(int... bytes) {
    byte[] b = new byte[bytes.length];
    for (int i = 0; i < bytes.length; i++) {
      b[i] = (byte) bytes[i];
    }
    inbound.onBytes(ByteBuffer.wrap(b));
  }

  int nextId() {
    return nextPacketId++;
  }

  SubAck subscribe(String filter, QoS qos) {
    return subscribe(Properties.EMPTY, new Subscription(filter, qos));
  }

  SubAck subscribe(Properties props, Subscription... subs) {
    send(new Subscribe(nextId(), List.of(subs), props));
    return expect(SubAck.class);
  }

  void publish(String topic, String payload, QoS qos, boolean retain) {
    publish(topic, payload, qos, retain, Properties.EMPTY);
  }

  void publish(String topic, String payload, QoS qos, boolean retain, Properties props) {
    int id = qos == QoS.AT_MOST_ONCE ? 0 : nextId();
    send(new Publish(topic, payload.getBytes(StandardCharsets.UTF_8), qos, retain, false, id,
        props));
  }

  /** Publishes QoS 1 and waits for PUBACK. */
  PubAck publishAcked(String topic, String payload) {
    publish(topic, payload, QoS.AT_LEAST_ONCE, false);
    return expect(PubAck.class);
  }

  <T extends Packet> T expect(Class<T> type) {
    Packet p = transport.poll();
    assertNotNull(p, "expected " + type.getSimpleName() + " but nothing arrived");
    return assertInstanceOf(type, p, "expected " + type.getSimpleName() + " but got " + p);
  }

  Publish expectPublish(String topic, String payload) {
    Publish p = expect(Publish.class);
    org.junit.jupiter.api.Assertions.assertEquals(topic, p.topic());
    org.junit.jupiter.api.Assertions.assertEquals(payload,
        new String(p.payload(), StandardCharsets.UTF_8));
    return p;
  }

  /** Asserts nothing more arrives once the broker's lanes have processed what was sent. */
  void expectNothing(MqttBroker broker) {
    TestBrokers.drainLanes(broker);
    Packet p = transport.pollNow();
    if (p != null) {
      throw new AssertionError("expected nothing but got " + p);
    }
  }

  void disconnectAbruptly() {
    inbound.onClosed();
  }
}
