package org.ferrymq.engine;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.ferrymq.codec.MqttEncoder;
import org.ferrymq.packet.ConnAck;
import org.ferrymq.packet.Connect;
import org.ferrymq.packet.Disconnect;
import org.ferrymq.packet.Packet;
import org.ferrymq.packet.Properties;
import org.ferrymq.packet.ProtocolVersion;
import org.ferrymq.packet.PubAck;
import org.ferrymq.packet.Publish;
import org.ferrymq.packet.QoS;
import org.ferrymq.packet.ReasonCode;
import org.ferrymq.packet.SubAck;
import org.ferrymq.packet.Subscribe;
import org.ferrymq.packet.Subscription;
import org.ferrymq.packet.Will;
import org.ferrymq.transport.InboundHandler;

/** A raw MQTT client over a {@link FakeTransport}: sends packets, takes what the broker sends. */
public final class TestClient {
  public final FakeTransport transport;
  public final InboundHandler inbound;
  public final ProtocolVersion version;
  private final MqttBroker broker;
  private int nextPacketId = 1;

  public TestClient(MqttBroker broker, ProtocolVersion version) {
    this(broker, version, new FakeTransport(version));
  }

  /** A client whose connection comes from the given transport (e.g. another address). */
  public TestClient(MqttBroker broker, ProtocolVersion version, FakeTransport transport) {
    this.broker = broker;
    this.version = version;
    this.transport = transport;
    this.inbound = broker.accept(transport);
  }

  public static TestClient connect(MqttBroker broker, ProtocolVersion version, String clientId,
      boolean cleanStart) {
    return connect(broker, version, clientId, cleanStart, null, Properties.EMPTY);
  }

  public static TestClient connect(MqttBroker broker, ProtocolVersion version, String clientId,
      boolean cleanStart, Will will, Properties properties) {
    TestClient c = new TestClient(broker, version);
    ConnAck ack = c.connectWith(new Connect(version, clientId, cleanStart, 60, will, null, null,
        properties));
    if (ack.reasonCode().isError()) {
      throw new AssertionError("CONNECT refused: " + ack);
    }
    return c;
  }

  /** Sends a CONNECT and returns the CONNACK, whatever its reason code. */
  public ConnAck connectWith(Connect connect) {
    send(connect);
    return expect(ConnAck.class);
  }

  public void send(Packet p) {
    sendBytes(MqttEncoder.encode(p, version));
  }

  public void sendBytes(ByteBuffer bytes) {
    inbound.onBytes(bytes);
  }

  public void sendBytes(int... bytes) {
    byte[] b = new byte[bytes.length];
    for (int i = 0; i < bytes.length; i++) {
      b[i] = (byte) bytes[i];
    }
    inbound.onBytes(ByteBuffer.wrap(b));
  }

  public int nextId() {
    return nextPacketId++;
  }

  public SubAck subscribe(String filter, QoS qos) {
    return subscribe(Properties.EMPTY, new Subscription(filter, qos));
  }

  public SubAck subscribe(Properties props, Subscription... subs) {
    send(new Subscribe(nextId(), List.of(subs), props));
    return expect(SubAck.class);
  }

  public void publish(String topic, String payload, QoS qos, boolean retain) {
    publish(topic, payload, qos, retain, Properties.EMPTY);
  }

  public void publish(String topic, String payload, QoS qos, boolean retain, Properties props) {
    int id = qos == QoS.AT_MOST_ONCE ? 0 : nextId();
    send(new Publish(topic, payload.getBytes(StandardCharsets.UTF_8), qos, retain, false, id,
        props));
  }

  /** Publishes QoS 1 and waits for PUBACK. */
  public PubAck publishAcked(String topic, String payload) {
    publish(topic, payload, QoS.AT_LEAST_ONCE, false);
    return expect(PubAck.class);
  }

  public <T extends Packet> T expect(Class<T> type) {
    Packet p = transport.poll();
    assertNotNull(p, "expected " + type.getSimpleName() + " but nothing arrived");
    return assertInstanceOf(type, p, "expected " + type.getSimpleName() + " but got " + p);
  }

  public Publish expectPublish(String topic, String payload) {
    Publish p = expect(Publish.class);
    assertEquals(topic, p.topic());
    assertEquals(payload, payloadOf(p));
    return p;
  }

  /** Expects DISCONNECT with the reason code, then the connection closed by the broker. */
  public Disconnect expectDisconnect(ReasonCode reason, String specId) {
    Disconnect d = expect(Disconnect.class);
    assertEquals(reason, d.reasonCode(), specId);
    awaitClosed(specId);
    return d;
  }

  /**
   * Waits until the broker's lanes are idle, then takes every packet that arrived.
   *
   * @throws AssertionError if one is not of the type
   */
  public <T extends Packet> List<T> drainAll(Class<T> type) {
    TestBrokers.drainLanes(broker);
    List<T> all = new java.util.ArrayList<>();
    Packet p;
    while ((p = transport.pollNow()) != null) {
      all.add(assertInstanceOf(type, p, "expected only " + type.getSimpleName() + ", got " + p));
    }
    return all;
  }

  /** Waits for the broker to close the connection. */
  public void awaitClosed(String specId) {
    await(specId + " connection closed").atMost(Duration.ofSeconds(5))
        .until(transport::isClosed);
  }

  public boolean isClosed() {
    return transport.isClosed();
  }

  /** Asserts nothing more arrives once the broker's lanes have processed what was sent. */
  public void expectNothing(MqttBroker broker) {
    TestBrokers.drainLanes(broker);
    Packet p = transport.pollNow();
    if (p != null) {
      throw new AssertionError("expected nothing but got " + p);
    }
  }

  /**
   * The network connection drops without DISCONNECT; returns once the broker has processed it,
   * so that a test moving a manual clock afterwards moves it after the disconnect.
   */
  public void disconnectAbruptly() {
    inbound.onClosed();
    TestBrokers.drainLanes(broker);
  }

  public static String payloadOf(Publish p) {
    return new String(p.payload(), StandardCharsets.UTF_8);
  }

  /** Acknowledges a QoS 1 PUBLISH. */
  public void puback(Publish p) {
    send(new PubAck(p.packetId()));
  }

  /** @return a Will on the topic with the payload, QoS and retain flag */
  public static Will will(String topic, String payload, QoS qos, boolean retain,
      Properties props) {
    return new Will(topic, payload.getBytes(StandardCharsets.UTF_8), qos, retain, props);
  }
}
