package org.ferrymq.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.ferrymq.codec.DecoderContext;
import org.ferrymq.codec.MalformedPacketException;
import org.ferrymq.codec.MqttDecoder;
import org.ferrymq.codec.MqttEncoder;
import org.ferrymq.packet.Auth;
import org.ferrymq.packet.ConnAck;
import org.ferrymq.packet.Connect;
import org.ferrymq.packet.Disconnect;
import org.ferrymq.packet.Packet;
import org.ferrymq.packet.Properties;
import org.ferrymq.packet.Property;
import org.ferrymq.packet.ProtocolVersion;
import org.ferrymq.packet.PubAck;
import org.ferrymq.packet.Publish;
import org.ferrymq.packet.QoS;
import org.ferrymq.packet.ReasonCode;
import org.ferrymq.packet.SubAck;
import org.ferrymq.packet.Subscribe;
import org.ferrymq.packet.Subscription;
import org.ferrymq.engine.spec.auth.ChallengeResponse;
import org.ferrymq.transport.InboundHandler;

/**
 * What the broker promises whatever one client sends, checked by {@link ConnectionFuzzTest}: the
 * client's bytes (cut into reads by {@link Chunks}) go into a fresh connection of one long-lived
 * broker, and then
 * <ul>
 *   <li>no exception leaves the connection's handler, none is logged by a lane, and the bytes
 *       the broker sends back are well-formed packets;</li>
 *   <li>a valid CONNECT is answered with CONNACK (or AUTH); a stream the decoder rejects closes
 *       the connection, an accepted MQTT 5 client reading DISCONNECT with the decoder's reason
 *       code first [MQTT-4.13.1-1] and an MQTT 3 client no DISCONNECT at all; an unsupported
 *       protocol version is answered with CONNACK 0x84 / return code 1 [MQTT-3.1.2-2];</li>
 *   <li>once the connection is gone (and a session it left is taken over and ended), the
 *       broker is as before: the open connection, connected client, session and subscription
 *       counts and the paused-connection gauge are back, nothing sits on a lane, and a
 *       well-behaved subscriber still gets a QoS 1 message from a well-behaved publisher.</li>
 * </ul>
 * The outcome must not depend on where the reads cut the stream: the expectation comes from
 * decoding the joined stream in one piece.
 *
 * <p>Not thread-safe: one fuzzing thread drives it.
 */
final class ConnectionContract implements AutoCloseable {
  /** Client ids the fuzzed client may not take: the observer's and the publisher's. */
  private static final String RESERVED_PREFIX = "fuzz-";
  private static final String PROBE_TOPIC = "fuzz/probe";
  /** Small limits, so that fuzzing reaches them with inputs of a few KiB. */
  private static final int MAX_PACKET_SIZE = 2048;
  /** A fresh broker every so many inputs bounds what retained messages accumulate. */
  private static final int INPUTS_PER_BROKER = 2000;
  private static final Logger ENGINE_LOG = Logger.getLogger("org.ferrymq");
  /** Enhanced authentication the fuzzed client can go through (CONNECT, AUTH, re-AUTH). */
  static final String AUTH_METHOD = ChallengeResponse.METHOD;

  private final ConcurrentLinkedQueue<LogRecord> failures = new ConcurrentLinkedQueue<>();
  private final Handler failureLog = new Handler() {
    @Override
    public void publish(LogRecord r) {
      if (r.getLevel().intValue() >= Level.SEVERE.intValue() || r.getThrown() != null) {
        failures.add(r);
      }
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
    }
  };
  private final boolean engineLogToParent;
  private MqttBroker broker;
  private WellBehaved observer;
  private WellBehaved publisher;
  private int inputs;
  private int probes;

  ConnectionContract() {
    // Refused CONNECTs are logged at INFO: thousands a second while fuzzing
    engineLogToParent = ENGINE_LOG.getUseParentHandlers();
    ENGINE_LOG.setUseParentHandlers(false);
    ENGINE_LOG.addHandler(failureLog);
  }

  @Override
  public void close() {
    if (broker != null) {
      broker.stop();
      broker = null;
    }
    ENGINE_LOG.removeHandler(failureLog);
    ENGINE_LOG.setUseParentHandlers(engineLogToParent);
  }

  /** Feeds one fuzzed input to a new connection and checks everything above. */
  void check(byte[] input) {
    List<byte[]> reads = Chunks.parse(input);
    Expected expected = Expected.of(Chunks.join(reads));
    if (expected.connect != null && expected.connect.clientId().startsWith(RESERVED_PREFIX)) {
      return;
    }
    if (broker == null || ++inputs % INPUTS_PER_BROKER == 0) {
      restartBroker();
    }
    long startNanos = System.nanoTime();
    RecordingTransport transport = new RecordingTransport();
    InboundHandler connection = broker.accept(transport);
    boolean badPacketReached = feed(connection, transport, reads, expected);
    TestBrokers.drainLanes(broker);
    boolean closedByBroker = transport.isClosed();
    connection.onClosed();
    TestBrokers.drainLanes(broker);
    checkNoLaneFailure();

    ProtocolVersion version = expected.connect == null ? ProtocolVersion.MQTT_3_1_1
        : expected.connect.version();
    List<Packet> sent = transport.take(version);
    String context = "sent " + sent + " for " + expected;
    checkAnswer(expected, sent, context);
    if (badPacketReached) {
      checkClosedOnBadPacket(expected, sent, closedByBroker,
          System.nanoTime() - startNanos, context);
    }
    checkServerDisconnect(expected, sent, closedByBroker, context);
    endLeftoverSession(expected, sent);
    checkBrokerAsBefore();
  }

  /**
   * Feeds the reads as a transport would: nothing once the broker closed the connection or
   * paused reading. The read holding the first bad byte is cut there, and the lanes drained
   * before it, so that what the broker did about the good packets is known apart.
   *
   * @return whether the bad packet reached a connection that was still open
   */
  private boolean feed(InboundHandler connection, RecordingTransport transport,
      List<byte[]> reads, Expected expected) {
    int fed = 0;
    boolean badPacketReached = false;
    for (byte[] read : reads) {
      if (transport.isClosed() || transport.readingPaused()) {
        break;
      }
      int cut = expected.failure == null || badPacketReached ? -1 : expected.failureOffset - fed;
      if (cut >= 0 && cut < read.length) {
        connection.onBytes(ByteBuffer.wrap(read, 0, cut));
        TestBrokers.drainLanes(broker);
        if (transport.isClosed() || transport.readingPaused()) {
          break;
        }
        badPacketReached = true;
        connection.onBytes(ByteBuffer.wrap(read, cut, read.length - cut));
      } else {
        connection.onBytes(ByteBuffer.wrap(read));
      }
      fed += read.length;
    }
    return badPacketReached;
  }

  private static void checkAnswer(Expected expected, List<Packet> sent, String context) {
    if (expected.connect != null) {
      assertFalse(sent.isEmpty(), "a decoded CONNECT is answered; " + context);
      assertTrue(sent.get(0) instanceof ConnAck || sent.get(0) instanceof Auth,
          "[MQTT-3.2.0-1] the first packet the server sends is CONNACK (or AUTH); " + context);
    } else if (!sent.isEmpty()) {
      assertEquals(1, sent.size(), context);
      ConnAck ack = assertInstanceOf(ConnAck.class, sent.get(0), context);
      assertEquals(ReasonCode.UNSUPPORTED_PROTOCOL_VERSION, ack.reasonCode(), context);
      assertEquals(ReasonCode.UNSUPPORTED_PROTOCOL_VERSION, expected.failure.reasonCode(),
          "[MQTT-3.1.2-2] only an unsupported version is answered before a valid CONNECT; "
              + context);
    }
    for (int i = 0; i < sent.size() - 1; i++) {
      assertFalse(sent.get(i) instanceof Disconnect, "nothing follows DISCONNECT; " + context);
    }
  }

  private static void checkClosedOnBadPacket(Expected expected, List<Packet> sent,
      boolean closedByBroker, long elapsedNanos, String context) {
    assertTrue(closedByBroker, "a malformed packet closes the connection ("
        + expected.failure.getMessage() + "); " + context);
    if (!accepted(sent)) {
      if (expected.connect == null
          && expected.failure.reasonCode() == ReasonCode.UNSUPPORTED_PROTOCOL_VERSION) {
        assertEquals(1, sent.size(), "[MQTT-3.1.2-2] CONNACK 0x84 / return code 1; " + context);
      }
      return;
    }
    Packet last = sent.get(sent.size() - 1);
    if (!expected.connect.version().isV5()) {
      assertFalse(last instanceof Disconnect, "MQTT 3 has no server DISCONNECT; " + context);
      return;
    }
    Disconnect d = assertInstanceOf(Disconnect.class, last,
        "[MQTT-4.13.1-1] DISCONNECT before closing on a malformed packet; " + context);
    // The timer may have closed a client with a keep alive shorter than this input took
    boolean keepAliveRace = d.reasonCode() == ReasonCode.KEEP_ALIVE_TIMEOUT
        && expected.connect.keepAlive() > 0
        && elapsedNanos > expected.connect.keepAlive() * 1_000_000_000L;
    if (!keepAliveRace) {
      assertEquals(expected.failure.reasonCode(), d.reasonCode(), context);
    }
  }

  /** An MQTT 5 client the broker closes after CONNACK reads why, unless it said goodbye first. */
  private static void checkServerDisconnect(Expected expected, List<Packet> sent,
      boolean closedByBroker, String context) {
    if (!closedByBroker || !accepted(sent) || !expected.connect.version().isV5()
        || expected.packets.stream().anyMatch(p -> p instanceof Disconnect)) {
      return;
    }
    Disconnect d = assertInstanceOf(Disconnect.class, sent.get(sent.size() - 1),
        "[MQTT-4.13.1-1] the broker closed an MQTT 5 client without DISCONNECT; " + context);
    assertTrue(d.reasonCode().isError(), context);
  }

  private void checkNoLaneFailure() {
    LogRecord r = failures.poll();
    if (r != null) {
      failures.clear();
      throw new AssertionError("the engine logged " + r.getLevel() + ": " + r.getMessage(),
          r.getThrown());
    }
  }

  private static boolean accepted(List<Packet> sent) {
    return !sent.isEmpty() && sent.get(0) instanceof ConnAck a && !a.reasonCode().isError();
  }

  /**
   * A session the fuzzed client asked to keep is taken over by a clean-start client and ended,
   * as an operator's client would; one it did not ask to keep must already be gone.
   */
  private void endLeftoverSession(Expected expected, List<Packet> sent) {
    Set<String> leftover = new HashSet<>();
    broker.core().sessions.all().forEach(s -> leftover.add(s.clientId()));
    leftover.remove(observer.clientId);
    leftover.remove(publisher.clientId);
    if (leftover.isEmpty()) {
      return;
    }
    String context = "sessions " + leftover + " left by " + expected + ", broker sent " + sent;
    assertTrue(accepted(sent) && leftover.size() == 1, context);
    Connect c = expected.connect;
    boolean keepRequested = c.version().isV5()
        ? c.properties().longOr(Property.SESSION_EXPIRY_INTERVAL, 0) > 0 : !c.cleanStart();
    assertTrue(keepRequested, "a session that ends with its connection is gone; " + context);
    WellBehaved taker = new WellBehaved(broker, leftover.iterator().next());
    taker.send(new Disconnect(ReasonCode.SUCCESS, Properties.EMPTY));
    TestBrokers.drainLanes(broker);
    taker.transport.take(ProtocolVersion.MQTT_5);
    taker.connection.onClosed();
    TestBrokers.drainLanes(broker);
  }

  private void checkBrokerAsBefore() {
    BrokerStats stats = broker.stats();
    String context = "after the fuzzed connection ended: " + stats + " " + broker.flowStats();
    assertEquals(2, stats.connectionsOpen(), context);
    assertEquals(2, stats.clientsConnected(), context);
    assertEquals(2, stats.clientsTotal(), context);
    assertEquals(1, stats.subscriptions(), context);
    assertEquals(0, broker.flowStats().connectionsPaused(), context);
    int[] onLanes = laneCounts();
    assertEquals(2, onLanes[0], "connections on lanes; " + context);
    assertEquals(0, onLanes[1], "offline sessions on lanes; " + context);

    // The observer gets the probe: routing, delivery and acknowledgements still work
    int id = probes++ % 65_535 + 1;
    byte[] payload = ("probe-" + id).getBytes(StandardCharsets.UTF_8);
    publisher.send(new Publish(PROBE_TOPIC, payload, QoS.AT_LEAST_ONCE, false, false, id,
        Properties.EMPTY));
    TestBrokers.drainLanes(broker);
    assertTrue(publisher.take().stream().anyMatch(p -> p instanceof PubAck a
        && a.packetId() == id), "the publisher's QoS 1 probe is acknowledged; " + context);
    boolean delivered = false;
    for (Packet p : observer.take()) {
      if (p instanceof Publish pub) {
        delivered |= java.util.Arrays.equals(payload, pub.payload());
        if (pub.qos() == QoS.AT_LEAST_ONCE) {
          observer.send(new PubAck(pub.packetId()));
        }
      }
    }
    assertTrue(delivered, "the observer got the probe; " + context);
    TestBrokers.drainLanes(broker);
    checkNoLaneFailure();
  }

  /** @return connections and offline sessions held by all lanes, read on each lane */
  private int[] laneCounts() {
    AtomicInteger connections = new AtomicInteger();
    AtomicInteger offline = new AtomicInteger();
    BrokerCore core = broker.core();
    CountDownLatch done = new CountDownLatch(core.laneCount());
    core.forEachLane(lane -> lane.execute(() -> {
      connections.addAndGet(lane.connections.size());
      offline.addAndGet(lane.offlineSessions.size());
      done.countDown();
    }));
    try {
      assertTrue(done.await(5, TimeUnit.SECONDS), "lanes answer");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
    return new int[] {connections.get(), offline.get()};
  }

  private void restartBroker() {
    if (broker != null) {
      broker.stop();
    }
    // Authentication steps on the calling thread: their answers are queued on the lane like
    // any other, so draining the lanes settles each input (production runs them on threads)
    broker = TestBrokers.started(b -> b.heapUse(() -> 0.1)
        .authExecutor(AuthExecutor.on(Runnable::run, 1, 1_000))
        .enhancedAuthenticators(List.of(new ChallengeResponse())).config(TestBrokers.config(
        "mqtt.max-packet-size", String.valueOf(MAX_PACKET_SIZE),
        "mqtt.receive-maximum", "3",
        "mqtt.topic-alias-maximum", "2",
        "mqtt.queue.max-messages", "5",
        "mqtt.sys-interval", "0")));
    observer = new WellBehaved(broker, RESERVED_PREFIX + "observer");
    observer.send(new Subscribe(1, List.of(new Subscription(PROBE_TOPIC, QoS.AT_LEAST_ONCE)),
        Properties.EMPTY));
    TestBrokers.drainLanes(broker);
    assertInstanceOf(SubAck.class, observer.take().get(0));
    publisher = new WellBehaved(broker, RESERVED_PREFIX + "publisher");
    checkNoLaneFailure();
  }

  /** An MQTT 5 client that follows the protocol; no keep alive, so it may idle. */
  private static final class WellBehaved {
    final String clientId;
    final RecordingTransport transport = new RecordingTransport();
    final InboundHandler connection;

    WellBehaved(MqttBroker broker, String clientId) {
      this.clientId = clientId;
      this.connection = broker.accept(transport);
      send(new Connect(ProtocolVersion.MQTT_5, clientId, true, 0, null, null, null, null));
      TestBrokers.drainLanes(broker);
      List<Packet> answer = take();
      ConnAck ack = assertInstanceOf(ConnAck.class, answer.get(0), clientId + " got " + answer);
      assertEquals(ReasonCode.SUCCESS, ack.reasonCode(), clientId + " got " + answer);
    }

    void send(Packet p) {
      connection.onBytes(MqttEncoder.encode(p, ProtocolVersion.MQTT_5));
    }

    List<Packet> take() {
      return transport.take(ProtocolVersion.MQTT_5);
    }
  }

  /**
   * What the broker's decoder will make of the joined stream: the packets before the first
   * malformed one, that failure and where its packet starts, and the CONNECT if there is one.
   */
  private record Expected(List<Packet> packets, Connect connect,
      MalformedPacketException failure, int failureOffset) {

    static Expected of(byte[] stream) {
      List<Packet> packets = new ArrayList<>();
      ByteBuffer in = ByteBuffer.wrap(stream);
      DecoderContext ctx = DecoderContext.beforeConnect(MAX_PACKET_SIZE);
      Connect connect = null;
      while (true) {
        int start = in.position();
        Packet p;
        try {
          p = MqttDecoder.decode(in, ctx);
        } catch (MalformedPacketException e) {
          return new Expected(packets, connect, e, start);
        }
        if (p == null) {
          return new Expected(packets, connect, null, -1);
        }
        if (connect == null) {
          connect = (Connect) p;
          ctx = ctx.withVersion(connect.version());
        }
        packets.add(p);
      }
    }

    @Override
    public String toString() {
      return packets + (failure == null ? "" : " then malformed at byte " + failureOffset + " ("
          + failure.reasonCode() + ": " + failure.getMessage() + ")");
    }
  }
}
