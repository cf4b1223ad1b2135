package org.ferrymq.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.ferrymq.codec.MqttEncoder;
import org.ferrymq.packet.Properties;
import org.ferrymq.packet.Property;
import org.ferrymq.packet.ProtocolVersion;
import org.ferrymq.packet.Connect;
import org.ferrymq.packet.PubAck;
import org.ferrymq.packet.PubComp;
import org.ferrymq.packet.PubRec;
import org.ferrymq.packet.PubRel;
import org.ferrymq.packet.Publish;
import org.ferrymq.packet.QoS;
import org.ferrymq.persistence.Persistence;
import org.ferrymq.persistence.PersistenceMode;
import org.ferrymq.persistence.QueueStore;
import org.ferrymq.persistence.RecoveryBackoff;
import org.ferrymq.persistence.common.GroupCommitter;
import org.ferrymq.persistence.memory.MemoryPersistence;
import org.ferrymq.persistence.mvstore.MvStorePersistence;
import org.ferrymq.persistence.mvstore.StoreFaults;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A store write that fails part-way through a batch of PUBLISH packets (one read from the
 * socket, handled as one lane task). Before issue 14 the failing write threw out of the batch:
 * the packets after it were silently skipped, and the acknowledgement of the failed one never
 * came, so the connection's later acknowledgements stalled behind it for good.
 */
class StoreFaultBatchTest {
  private static final Properties ONE_HOUR = Properties.builder()
      .put(Property.SESSION_EXPIRY_INTERVAL, 3_600).build();

  @TempDir
  Path dir;

  private MqttBroker broker;

  @AfterEach
  void stop() {
    if (broker != null) {
      broker.stop();
    }
  }

  /** Five QoS 1 PUBLISH packets, ids 1..5, encoded back to back: one batch for the broker. */
  private static ByteBuffer fivePublishes(ProtocolVersion version) {
    List<ByteBuffer> parts = new ArrayList<>();
    int size = 0;
    for (int id = 1; id <= 5; id++) {
      ByteBuffer b = MqttEncoder.encode(new Publish("d/" + id, ("m" + id).getBytes(),
          QoS.AT_LEAST_ONCE, false, false, id, Properties.EMPTY), version);
      parts.add(b);
      size += b.remaining();
    }
    ByteBuffer all = ByteBuffer.allocate(size);
    parts.forEach(all::put);
    return all.flip();
  }

  @ParameterizedTest
  @EnumSource(value = ProtocolVersion.class, names = {"MQTT_3_1_1", "MQTT_5"})
  void storeClosingItselfMidBatchHoldsTheRestAndAcknowledgesAllAfterRecovery(
      ProtocolVersion version) {
    MvStorePersistence store = MvStorePersistence.open(dir, PersistenceMode.PERSISTENT, 50,
        GroupCommitter.daemonThreads("batch-commit"), new RecoveryBackoff(20, 200), "");
    AtomicInteger puts = new AtomicInteger();
    Wrapped wrapped = new Wrapped(store, n -> {
      if (n == 2) {
        StoreFaults.closeItself(store);
      }
    }, puts);
    broker = TestBrokers.started(b -> b.persistence(wrapped));
    TestClient sub = TestClient.connect(broker, ProtocolVersion.MQTT_5, "sub", true, null,
        ONE_HOUR);
    sub.subscribe("d/#", QoS.AT_LEAST_ONCE);
    sub.disconnectAbruptly();
    TestClient pub = TestClient.connect(broker, version, "pub", true);
    wrapped.armed = true;

    // Exercise: the store closes itself while the 2nd of 5 packets of one batch is written
    pub.sendBytes(fivePublishes(version));

    // Verify: every packet acknowledged, in order [MQTT-4.6.0-2], after the store came back
    List<Integer> acked = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      acked.add(pub.expect(PubAck.class).packetId());
    }
    assertEquals(List.of(1, 2, 3, 4, 5), acked);
    assertEquals(1, store.failureCount(), "the store failed once");
    assertTrue(store.isHealthy(), "and recovered by itself");
    TestClient back = new TestClient(broker, ProtocolVersion.MQTT_5);
    assertTrue(back.connectWith(new org.ferrymq.packet.Connect(ProtocolVersion.MQTT_5, "sub",
        false, 60, null, null, null, ONE_HOUR)).sessionPresent());
    for (int id = 1; id <= 5; id++) {
      back.puback(back.expectPublish("d/" + id, "m" + id));
    }
  }

  @ParameterizedTest
  @EnumSource(value = ProtocolVersion.class, names = {"MQTT_3_1_1", "MQTT_5"})
  void aStoreThatThrowsFailsThatPublishExplicitlyAndSkipsNoneAfterIt(
      ProtocolVersion version) {
    AtomicInteger puts = new AtomicInteger();
    Wrapped throwing = new Wrapped(new MemoryPersistence(), n -> {
      if (n == 2) {
        throw new IllegalStateException("store refused the write");
      }
    }, puts);
    broker = TestBrokers.started(b -> b.persistence(throwing));
    TestClient sub = TestClient.connect(broker, ProtocolVersion.MQTT_5, "sub", true, null,
        ONE_HOUR);
    sub.subscribe("d/#", QoS.AT_LEAST_ONCE);
    sub.disconnectAbruptly();
    TestClient pub = TestClient.connect(broker, version, "pub", true);
    throwing.armed = true;

    // Exercise
    pub.sendBytes(fivePublishes(version));

    // Verify: the failed message is failed explicitly and nothing after it is skipped:
    // MQTT 5 PUBACK 0x80 for it and success for the rest, in order [MQTT-4.6.0-2]; MQTT 3.1.1
    // has no negative PUBACK, so the connection closes and the client resends 2..5
    assertEquals(1, pub.expect(PubAck.class).packetId());
    if (version.isV5()) {
      List<String> rest = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        PubAck a = pub.expect(PubAck.class);
        rest.add(a.packetId() + ":" + a.reasonCode());
      }
      assertEquals(List.of("2:UNSPECIFIED_ERROR", "3:SUCCESS", "4:SUCCESS", "5:SUCCESS"), rest);
    } else {
      pub.awaitClosed("MQTT 3.1.1 has no negative PUBACK");
    }
  }

  /**
   * MQTT 3.1.1 QoS 2 with two receivers, the delivery to one of which throws: the publisher
   * gets no PUBREC (3.1.1 has no negative one), the connection closes, and the client resends
   * the PUBLISH with DUP [MQTT-4.4.0-1]. The broker kept the receipt with the receiver that took
   * the message, so the resend reaches only the other one: each gets it exactly once (4.3.3,
   * "Exactly once delivery"). Before, the receipt was dropped and the resend went to both.
   */
  @org.junit.jupiter.api.Test
  void aQos2ResendAfterAFailedDeliveryReachesOnlyTheReceiverThatMissedIt() {
    AtomicInteger puts = new AtomicInteger();
    Wrapped throwing = new Wrapped(new MemoryPersistence(), n -> {
      if (n == 1) {
        throw new IllegalStateException("store refused the write");
      }
    }, puts);
    throwing.onlyFor = "b";
    broker = TestBrokers.started(b -> b.persistence(throwing));
    for (String id : List.of("a", "b")) {
      TestClient s = TestClient.connect(broker, ProtocolVersion.MQTT_5, id, true, null,
          ONE_HOUR);
      s.subscribe("q2/#", QoS.EXACTLY_ONCE);
      s.disconnectAbruptly();
    }
    TestClient pub = TestClient.connect(broker, ProtocolVersion.MQTT_3_1_1, "pub", false);
    throwing.armed = true;

    // Exercise: the delivery to b throws, then the client resends as 3.1.1 requires
    pub.send(new Publish("q2/x", "once".getBytes(), QoS.EXACTLY_ONCE, false, false, 7,
        Properties.EMPTY));
    pub.awaitClosed("3.1.1 has no negative PUBREC: the connection closes");
    TestClient again = new TestClient(broker, ProtocolVersion.MQTT_3_1_1);
    assertTrue(again.connectWith(new Connect(ProtocolVersion.MQTT_3_1_1, "pub", false, 60,
        null, null, null, Properties.EMPTY)).sessionPresent());
    again.send(new Publish("q2/x", "once".getBytes(), QoS.EXACTLY_ONCE, false, true, 7,
        Properties.EMPTY));
    assertEquals(7, again.expect(PubRec.class).packetId());
    again.send(new PubRel(7));
    assertEquals(7, again.expect(PubComp.class).packetId());

    // Verify: one copy each
    for (String id : List.of("a", "b")) {
      TestClient s = new TestClient(broker, ProtocolVersion.MQTT_5);
      assertTrue(s.connectWith(new Connect(ProtocolVersion.MQTT_5, id, false, 60, null, null,
          null, ONE_HOUR)).sessionPresent());
      Publish got = s.expectPublish("q2/x", "once");
      s.send(new PubRec(got.packetId()));
      assertEquals(got.packetId(), s.expect(PubRel.class).packetId());
      s.send(new PubComp(got.packetId()));
      s.expectNothing(broker);
    }
  }

  /** Delegates to a store; counts delivery writes once armed and runs a hook on each. */
  private static final class Wrapped extends DelegatingPersistence {
    private final Consumer<Integer> onPut;
    private final AtomicInteger puts;
    volatile boolean armed;
    /** When set, only writes of deliveries to this client count and run the hook. */
    volatile String onlyFor;

    Wrapped(Persistence delegate, Consumer<Integer> onPut, AtomicInteger puts) {
      super(delegate);
      this.onPut = onPut;
      this.puts = puts;
    }

    @Override
    public QueueStore queues() {
      return queuesWatched((clientId, delivery) -> {
        if (armed && (onlyFor == null || onlyFor.equals(clientId))) {
          onPut.accept(puts.incrementAndGet());
        }
      });
    }
  }
}
