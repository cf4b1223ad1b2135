package it.org.ferrymq;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;
import java.util.function.IntSupplier;
import java.util.stream.IntStream;
import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.IMqttMessageListener;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.ferrymq.packet.ConnAck;
import org.ferrymq.packet.Disconnect;
import org.ferrymq.packet.Packet;
import org.ferrymq.packet.PingReq;
import org.ferrymq.packet.PingResp;
import org.ferrymq.packet.Properties;
import org.ferrymq.packet.Property;
import org.ferrymq.packet.ProtocolVersion;
import org.ferrymq.packet.PubAck;
import org.ferrymq.packet.PubComp;
import org.ferrymq.packet.PubRec;
import org.ferrymq.packet.PubRel;
import org.ferrymq.packet.Publish;
import org.ferrymq.packet.QoS;
import org.ferrymq.packet.ReasonCode;
import org.ferrymq.packet.SubAck;
import org.ferrymq.packet.Subscribe;
import org.ferrymq.packet.Subscription;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * End-to-end flow control (issue 13) over real sockets, against the shared Liberty server. The
 * build starts it with {@code MQTT_SLOW_SUBSCRIBER_TIMEOUT=5} and the defaults for everything
 * else that matters here: {@code mqtt.queue.max-messages} 1000, {@code mqtt.queue.max-bytes}
 * 16 MiB, {@code mqtt.receive-maximum} 100 and {@code mqtt.max-inflight} 100.
 *
 * <p>What the broker acknowledged it delivers; a subscriber that cannot keep up slows its
 * publishers down (their PUBACK/PUBREC is held back, so their in-flight window throttles them);
 * one that takes nothing is disconnected after the timeout and its publishers go on; and a client
 * the broker disconnects reads why (DISCONNECT) and then EOF, not a reset. Each scenario runs with
 * a raw client on the broker's codec ({@link PacedClient}), which can misbehave on purpose, and
 * with an independent library (Eclipse Paho) on both sides.
 *
 * <p>Client identifiers and topics are unique per run ({@code flow-...}, {@code flow/<test>/...})
 * because every integration test shares the one server.
 */
class FlowControlIT extends ServerIT {

  /** MQTT_SLOW_SUBSCRIBER_TIMEOUT in the failsafe environment (pom.xml). */
  private static final int SLOW_SUBSCRIBER_TIMEOUT_SECONDS = 5;
  /** mqtt.queue.max-messages, default. */
  private static final int QUEUE_MAX_MESSAGES = 1_000;
  /** mqtt.max-inflight, default: unacknowledged deliveries to one subscriber. */
  private static final int BROKER_MAX_INFLIGHT = 100;
  /**
   * How long the broker's lingering close waits for queued bytes to reach a peer that reads
   * nothing before it cuts the connection off (LingeringClose.DRAIN_TIMEOUT_MILLIS).
   */
  private static final int CLOSE_DRAIN_SECONDS = 10;

  private static final int FAN_IN_PUBLISHERS = 8;
  private static final int FAN_IN_MESSAGES = 2_000;
  private static final int FAN_IN_WINDOW = 100;

  private static final String TCP = "tcp://localhost:" + MQTT_PORT;

  // ------------------------------------------------------------------ 1. fan-in, QoS 1

  /**
   * Eight Paho publishers, each with 100 QoS 1 messages in flight, against one raw subscriber
   * that reads 64 bytes at a time with a pause after each read and acknowledges every PUBLISH:
   * it is slower than the publishers together, so its queue reaches mqtt.queue.max-messages.
   *
   * <p>MQTT 3.1.1 4.3.2: the receiver of a QoS 1 PUBLISH "MUST respond with a PUBACK Packet
   * containing the Packet Identifier from the incoming PUBLISH Packet, having accepted ownership
   * of the Application Message" [MQTT-4.3.2-2] (MQTT 5.0: [MQTT-4.3.2-4]). So every acknowledged
   * message must reach the online subscriber: none may be dropped for lack of room. The room is
   * made by holding the publishers' PUBACKs back, which bounds how far acknowledgements can run
   * ahead of deliveries.
   */
  @Test
  void fanInQos1ToASlowRawSubscriberLosesNothingAcknowledged() throws Exception {
    String run = UUID.randomUUID().toString();
    String base = "flow/fanin/" + run + "/raw";
    Tally received = new Tally(FAN_IN_PUBLISHERS, FAN_IN_MESSAGES);
    AtomicReference<Throwable> subscriberFailure = new AtomicReference<>();
    try (PacedClient subscriber = PacedClient.open(MQTT_PORT, ProtocolVersion.MQTT_3_1_1, 0)) {
      assertEquals(ReasonCode.SUCCESS,
          subscriber.connect("flow-fanin-raw-sub-" + run, 60, Properties.EMPTY).reasonCode());
      subscriber.send(new Subscribe(1, List.of(new Subscription(base + "/+", QoS.AT_LEAST_ONCE)),
          Properties.EMPTY));
      SubAck subAck = assertInstanceOf(SubAck.class, subscriber.receive());
      assertEquals(List.of(ReasonCode.GRANTED_QOS_1), subAck.reasonCodes());
      subscriber.pace(64, 100_000);
      startAcknowledging(subscriber, received, FAN_IN_PUBLISHERS * FAN_IN_MESSAGES,
          subscriberFailure, () -> { }, "flow-fanin-raw-subscriber");

      // Exercise and verify
      String report = fanIn(base, received, subscriberFailure::get);
      System.out.println("FlowControlIT fan-in, raw subscriber: " + report);
    }
  }

  /**
   * The same fan-in with Paho on both sides: the subscriber's messageArrived parks about 100 us
   * per message, and Paho acknowledges each when messageArrived returns.
   */
  @Test
  void fanInQos1ToASlowPahoSubscriberLosesNothingAcknowledged() throws Exception {
    System.out.println("FlowControlIT fan-in, Paho subscriber: " + pahoFanIn(TCP, "paho"));
  }

  /**
   * The Paho fan-in over MQTT over WebSocket, on Liberty's endpoint (where a paused connection
   * holds the container thread that delivers its messages) and on the adapter's ws listener
   * (Netty autoRead): the same promise, every acknowledged message delivered.
   */
  @ParameterizedTest(name = "ws on port {0}")
  @MethodSource("webSocketPorts")
  void fanInQos1OverWebSocketLosesNothingAcknowledged(int port) throws Exception {
    String report = pahoFanIn("ws://localhost:" + port + "/mqtt", "ws");
    System.out.println("FlowControlIT fan-in over ws on port " + port + ": " + report);
  }

  /**
   * The fan-in with every client on {@code serverUri} and a Paho subscriber whose messageArrived
   * parks about 100 us per message (Paho acknowledges each when it returns).
   *
   * @return the run's report
   */
  private static String pahoFanIn(String serverUri, String name) throws Exception {
    String run = UUID.randomUUID().toString();
    String base = "flow/fanin/" + run + "/" + name;
    Tally received = new Tally(FAN_IN_PUBLISHERS, FAN_IN_MESSAGES);
    List<String> problems = new CopyOnWriteArrayList<>();
    MqttAsyncClient subscriber =
        connectV3(serverUri, "flow-fanin-" + name + "-sub-" + run, 10, problems);
    try {
      IMqttToken subscribed = subscriber.subscribe(base + "/+", 1, (topic, message) -> {
        received.mark(message.getPayload());
        LockSupport.parkNanos(100_000);
      });
      subscribed.waitForCompletion(10_000);
      assertEquals(1, subscribed.getGrantedQos()[0]);

      // Exercise and verify
      return fanIn(serverUri, base, received,
          () -> problems.isEmpty() ? null : new AssertionError(problems.toString()));
    } finally {
      Clients.closeQuietly(subscriber);
    }
  }

  /** Liberty's HTTP port and the resource adapter's ws listener. */
  static java.util.stream.IntStream webSocketPorts() {
    return java.util.stream.IntStream.of(HTTP_PORT, WS_PORT);
  }

  /**
   * Runs the fan-in publishers against a subscriber already on {@code base/+} that marks what it
   * receives in {@code received}; checks that every acknowledged message arrived, that the
   * subscriber really fell behind by the queue bound, and that the acknowledgements never ran
   * further ahead of the deliveries than the broker's bounds allow.
   *
   * @return a one-line report of the run
   */
  private static String fanIn(String base, Tally received, ThrowableSupplier subscriberFailure)
      throws Exception {
    return fanIn(TCP, base, received, subscriberFailure);
  }

  /** The fan-in with the publishers connected to {@code serverUri}. */
  private static String fanIn(String serverUri, String base, Tally received,
      ThrowableSupplier subscriberFailure) throws Exception {
    int total = FAN_IN_PUBLISHERS * FAN_IN_MESSAGES;
    Tally acked = new Tally(FAN_IN_PUBLISHERS, FAN_IN_MESSAGES);
    List<String> problems = new CopyOnWriteArrayList<>();
    List<MqttAsyncClient> publishers = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(FAN_IN_PUBLISHERS);
    ScheduledExecutorService monitor = Executors.newSingleThreadScheduledExecutor();
    AtomicInteger maxAhead = new AtomicInteger();
    try {
      // Paho takes a few hundred milliseconds per connect: all at once
      List<IMqttToken> connecting = new ArrayList<>();
      for (int p = 0; p < FAN_IN_PUBLISHERS; p++) {
        MqttAsyncClient publisher = newV3(serverUri,
            "flow-fanin-pub-" + p + "-" + UUID.randomUUID(), problems);
        publishers.add(publisher);
        connecting.add(publisher.connect(v3Options(FAN_IN_WINDOW)));
      }
      for (IMqttToken token : connecting) {
        token.waitForCompletion(10_000);
      }
      // Acknowledged to a publisher but not yet at the subscriber: bounded by the subscriber's
      // queue plus the windows when the broker holds publishers back, unbounded when it does not
      monitor.scheduleAtFixedRate(() -> {
        int delivered = received.unique();
        maxAhead.accumulateAndGet(acked.unique() - delivered, Math::max);
      }, 0, 5, TimeUnit.MILLISECONDS);
      long start = System.nanoTime();
      List<Future<?>> runs = new ArrayList<>();
      for (int p = 0; p < FAN_IN_PUBLISHERS; p++) {
        int publisher = p;
        runs.add(pool.submit(() -> {
          publishAll(publishers.get(publisher), base + "/" + publisher, publisher,
              FAN_IN_MESSAGES, 1, FAN_IN_WINDOW, 8, seq -> acked.mark(publisher, seq),
              problems);
          return null;
        }));
      }
      for (Future<?> run : runs) {
        run.get(120, TimeUnit.SECONDS);
      }
      awaitCount("acknowledgements to the publishers", acked::unique, total,
          Duration.ofSeconds(30), Duration.ofSeconds(120));
      double publishSeconds = (System.nanoTime() - start) / 1e9;
      awaitCount("messages at the subscriber", () -> {
        Throwable failed = subscriberFailure.get();
        if (failed != null) {
          throw new AssertionError("the subscriber failed after " + received.unique()
              + " messages: " + failed, failed);
        }
        return received.unique();
      }, total, Duration.ofSeconds(10), Duration.ofSeconds(120));
      double deliverSeconds = (System.nanoTime() - start) / 1e9;
      monitor.shutdownNow();
      String report = String.format("%d messages acknowledged in %.1f s, all delivered in %.1f s "
          + "(%d duplicates); at most %d acknowledged ahead of the subscriber",
          total, publishSeconds, deliverSeconds, received.all() - received.unique(),
          maxAhead.get());

      // Verify
      assertEquals(List.of(), problems, "publishers in trouble; " + report);
      List<String> lost = received.missingOf(acked, 20);
      assertTrue(lost.isEmpty(), received.countMissingOf(acked) + " messages acknowledged to "
          + "their publisher were never delivered, e.g. " + lost + "; " + report);
      assertEquals(total, received.unique(), report);
      assertTrue(maxAhead.get() >= QUEUE_MAX_MESSAGES / 2, "the subscriber never fell more than "
          + maxAhead.get() + " messages behind, so its queue (" + QUEUE_MAX_MESSAGES + ") never "
          + "filled and flow control was not exercised: slow it down; " + report);
      // The queue bound, plus what the publishers' windows may add before their PUBACKs are
      // held, plus the subscriber's own in-flight window, plus slack for the sampling
      int bound = QUEUE_MAX_MESSAGES + FAN_IN_PUBLISHERS * FAN_IN_WINDOW + BROKER_MAX_INFLIGHT
          + 500;
      assertTrue(maxAhead.get() <= bound, "acknowledgements ran " + maxAhead.get()
          + " messages ahead of the subscriber (bound " + bound + "): the broker did not hold "
          + "the publishers back when the subscriber's queue was full; " + report);
      return report;
    } finally {
      monitor.shutdownNow();
      pool.shutdownNow();
      publishers.forEach(Clients::closeQuietly);
    }
  }

  // ------------------------------------------------------------------ 2. PINGREQ flood

  /**
   * A raw client writes PINGREQ in 64 KiB batches as fast as it can and never reads. MQTT 3.1.1
   * 3.12.4: "The Server MUST send a PINGRESP Packet in response to a PINGREQ Packet"
   * [MQTT-3.12.4-1], so every PINGREQ the broker reads costs it an answer the client never
   * takes. The broker must stop reading such a client once its outbound buffer is full and
   * disconnect it mqtt.slow-subscriber-timeout later, while another client's QoS 1 round trips
   * stay normal and the heap does not grow.
   *
   * <p>The flooder's side shows when the broker reads: a write that blocks means it stopped, a
   * write that returns means it read again. The longest such stall ends when the broker gives
   * up on the client (its lingering close then reads and discards again until it closes).
   */
  @Test
  void pingreqFloodIsCutOffWhileOtherClientsAreServed() throws Exception {
    String run = UUID.randomUUID().toString();
    String topic = "flow/flood/" + run + "/rtt";
    List<String> problems = new CopyOnWriteArrayList<>();
    String before = scrape();
    double maxHeap = sample(before, "memory_maxHeap_bytes")
        .orElseThrow(() -> new AssertionError("no memory_maxHeap_bytes in /metrics"));
    double heapBefore = heapAfterGc(before, maxHeap);
    double slowBefore = slowSubscribersDisconnected(before);

    ConcurrentHashMap<Integer, Long> sentAt = new ConcurrentHashMap<>();
    ConcurrentHashMap<Integer, Long> roundTrips = new ConcurrentHashMap<>();
    MqttAsyncClient pinger = connectV3("flow-flood-rtt-" + run, 100, problems);
    ScheduledExecutorService timers = Executors.newScheduledThreadPool(2);
    ExecutorService flood = Executors.newSingleThreadExecutor();
    try (PacedClient flooder = PacedClient.open(MQTT_PORT, ProtocolVersion.MQTT_3_1_1, 0)) {
      pinger.subscribe(topic, 1, (t, message) -> {
        int seq = ByteBuffer.wrap(message.getPayload()).getInt(4);
        Long sent = sentAt.get(seq);
        if (sent != null) {
          roundTrips.putIfAbsent(seq, System.nanoTime() - sent);
        }
      }).waitForCompletion(10_000);
      assertEquals(ReasonCode.SUCCESS,
          flooder.connect("flow-flood-" + run, 60, Properties.EMPTY).reasonCode());
      byte[] batch = new byte[64 * 1024];
      for (int i = 0; i < batch.length; i += 2) {
        batch[i] = (byte) 0xC0; // PINGREQ, remaining length 0
      }

      // Exercise
      long start = System.nanoTime();
      AtomicLong written = new AtomicLong();
      // {start, duration, bytes written before} of each write that waited 200 ms or more
      List<long[]> stalls = new CopyOnWriteArrayList<>();
      Future<IOException> cutOff = flood.submit(() -> {
        OutputStream out = flooder.socket().getOutputStream();
        try {
          while (System.nanoTime() - start < TimeUnit.SECONDS.toNanos(30)) {
            long writeStart = System.nanoTime();
            out.write(batch);
            long took = System.nanoTime() - writeStart;
            if (took >= TimeUnit.MILLISECONDS.toNanos(200)) {
              stalls.add(new long[] {writeStart - start, took, written.get()});
            }
            written.addAndGet(batch.length);
          }
          return null;
        } catch (IOException e) {
          return e;
        }
      });
      AtomicInteger pings = new AtomicInteger();
      timers.scheduleAtFixedRate(() -> {
        int seq = pings.getAndIncrement();
        sentAt.put(seq, System.nanoTime());
        try {
          pinger.publish(topic, payload(0, seq, 8), 1, false);
        } catch (MqttException e) {
          problems.add("publish " + seq + ": " + e);
        }
      }, 0, 100, TimeUnit.MILLISECONDS);
      AtomicLong heapPeak = new AtomicLong((long) heapBefore);
      AtomicLong slowDisconnectAfter = new AtomicLong(-1);
      timers.scheduleAtFixedRate(() -> {
        try {
          String now = scrape();
          heapPeak.accumulateAndGet((long) heapAfterGc(now, maxHeap), Math::max);
          if (slowDisconnectAfter.get() < 0 && slowSubscribersDisconnected(now) > slowBefore) {
            slowDisconnectAfter.set(System.nanoTime() - start);
          }
        } catch (InterruptedException stopped) {
          // shutdownNow at the end of the flood interrupts a scrape under way
          Thread.currentThread().interrupt();
        } catch (Exception | AssertionError e) {
          problems.add("reading /metrics: " + e);
        }
      }, 0, 250, TimeUnit.MILLISECONDS);
      IOException cause = cutOff.get(40, TimeUnit.SECONDS);
      long cutOffNanos = System.nanoTime() - start;
      timers.shutdownNow();
      if (cause != null && slowDisconnectAfter.get() < 0) {
        // Cut off between two scrapes: the counter must show it now
        await("the slow-subscriber disconnect counted").atMost(Duration.ofSeconds(5))
            .until(() -> slowSubscribersDisconnected(scrape()) > slowBefore);
        slowDisconnectAfter.set(System.nanoTime() - start);
      }
      int sent = pings.get();
      awaitCount("round trips of the other client", roundTrips::size, sent,
          Duration.ofSeconds(10), Duration.ofSeconds(20));
      int worst = roundTrips.entrySet().stream()
          .max((a, b) -> Long.compare(a.getValue(), b.getValue())).orElseThrow().getKey();
      long[] rtt = roundTrips.values().stream().mapToLong(Long::longValue).sorted().toArray();
      double p50 = rtt[rtt.length / 2] / 1e6;
      double max = rtt[rtt.length - 1] / 1e6;
      double heapGrowthMb = (heapPeak.get() - heapBefore) / (1024 * 1024);
      long[] last = stalls.stream().max((a, b) -> Long.compare(a[1], b[1]))
          .orElse(new long[] {0, 0, written.get()});
      long lastStallEnd = last[0] + last[1];
      String report = String.format("the flooder's writes stalled %d times; the broker stopped "
          + "reading it for good after %.1f s and %d MB; the flooder was let write again after "
          + "%.1f s (broker counted the slow-subscriber disconnect after %.1f s), wrote %d MB in "
          + "all, and was cut off after %.1f s (%s); other client: %d round trips, p50 %.1f ms, "
          + "max %.1f ms (sent %.1f s into the flood); heap after GC grew by %.0f MB",
          stalls.size(), last[0] / 1e9, last[2] >> 20, lastStallEnd / 1e9,
          slowDisconnectAfter.get() / 1e9, written.get() >> 20, cutOffNanos / 1e9, cause, sent,
          p50, max, worst / 10.0, heapGrowthMb);
      System.out.println("FlowControlIT PINGREQ flood: " + report);

      // Verify
      assertNotNull(cause, "the broker never closed the flooding connection in 30 s; " + report);
      assertTrue(last[2] < 64L << 20, "the broker went on reading a client that reads nothing "
          + "(autoRead stays on); " + report);
      assertTrue(last[1] <= TimeUnit.SECONDS.toNanos(SLOW_SUBSCRIBER_TIMEOUT_SECONDS + 2),
          "a client the broker could not write to for mqtt.slow-subscriber-timeout was kept "
          + "longer; " + report);
      assertTrue(slowDisconnectAfter.get() > 0, "ferrymq_slow_subscribers_disconnected did not "
          + "count the flooder; " + report);
      // Cut off once its writes stayed blocked for the timeout: at once, without lingering
      assertTrue(cutOffNanos - lastStallEnd
          <= TimeUnit.SECONDS.toNanos(SLOW_SUBSCRIBER_TIMEOUT_SECONDS + 3), "the broker did not "
          + "cut off a flooder that read nothing for the timeout; " + report);
      // Kernel buffers may open again a few times before the broker's buffer stays full: a
      // generous margin over the timeout
      assertTrue(cutOffNanos <= TimeUnit.SECONDS.toNanos(2 * SLOW_SUBSCRIBER_TIMEOUT_SECONDS + 5),
          "the flooder was disconnected too late; " + report);
      assertEquals(List.of(), problems, report);
      assertTrue(max < 2_000, "the other client's round trips suffered; " + report);
      assertTrue(heapGrowthMb < 200, "the flood grew the heap; " + report);
    } finally {
      timers.shutdownNow();
      flood.shutdownNow();
      Clients.closeQuietly(pinger);
    }
  }

  // ------------------------------------------------------------------ 3. MQTT 3.1.1 pipelining

  /**
   * MQTT 3.1.1 has no Receive Maximum: a client may have as many QoS 2 flows open as it has
   * packet identifiers. A raw client writes 1000 QoS 2 PUBLISH packets in one write before any
   * PUBREL; each gets its PUBREC, in order, and after the PUBRELs its PUBCOMP, and the connection
   * stays open. MQTT 3.1.1 4.3.3: the receiver "MUST respond with a PUBREC containing the Packet
   * Identifier from the incoming PUBLISH Packet, having accepted ownership of the Application
   * Message" and "MUST NOT cause duplicate messages to be delivered to any onward recipients"
   * [MQTT-4.3.3-2]: the subscriber gets each message exactly once.
   */
  @Test
  void mqtt311RawClientMayPipelineAThousandQos2Publishes() throws Exception {
    String run = UUID.randomUUID().toString();
    String topic = "flow/pipeline/" + run + "/raw";
    int count = 1_000;
    Tally received = new Tally(1, count);
    List<String> problems = new CopyOnWriteArrayList<>();
    MqttAsyncClient subscriber = subscribeV3("flow-pipeline-raw-sub-" + run, topic, 2, received,
        problems);
    try (PacedClient publisher = PacedClient.open(MQTT_PORT, ProtocolVersion.MQTT_3_1_1, 0)) {
      assertEquals(ReasonCode.SUCCESS,
          publisher.connect("flow-pipeline-raw-pub-" + run, 60, Properties.EMPTY).reasonCode());
      List<Publish> publishes = IntStream.rangeClosed(1, count)
          .mapToObj(id -> new Publish(topic, payload(0, id - 1, 16), QoS.EXACTLY_ONCE, false,
              false, id, Properties.EMPTY))
          .toList();

      // Exercise
      publisher.send(publishes);
      List<Integer> pubrecs = readAcks(publisher, PubRec.class, count, "PUBREC");
      publisher.send(IntStream.rangeClosed(1, count).mapToObj(PubRel::new).toList());
      List<Integer> pubcomps = readAcks(publisher, PubComp.class, count, "PUBCOMP");
      publisher.send(PingReq.INSTANCE);
      Packet ping = publisher.receive();

      // Verify
      List<Integer> inOrder = IntStream.rangeClosed(1, count).boxed().toList();
      assertEquals(inOrder, pubrecs, "PUBRECs leave in PUBLISH order");
      assertEquals(inOrder, pubcomps, "PUBCOMPs in PUBREL order");
      assertInstanceOf(PingResp.class, ping, "the connection is still open");
      assertDeliveredExactlyOnce(received, count, problems);
    } finally {
      Clients.closeQuietly(subscriber);
    }
  }

  /** The same with Paho: 1000 QoS 2 publishes in flight at once all complete, no disconnect. */
  @Test
  void mqtt311PahoClientWithAThousandQos2InFlightIsNeverCutOff() throws Exception {
    String run = UUID.randomUUID().toString();
    String topic = "flow/pipeline/" + run + "/paho";
    int count = 1_000;
    Tally received = new Tally(1, count);
    List<String> problems = new CopyOnWriteArrayList<>();
    MqttAsyncClient subscriber = subscribeV3("flow-pipeline-paho-sub-" + run, topic, 2, received,
        problems);
    MqttAsyncClient publisher = connectV3("flow-pipeline-paho-pub-" + run, count, problems);
    try {
      // Exercise: no waiting between publishes
      List<IMqttDeliveryToken> tokens = new ArrayList<>();
      for (int seq = 0; seq < count; seq++) {
        tokens.add(publisher.publish(topic, payload(0, seq, 16), 2, false));
      }
      awaitCount("completed QoS 2 publishes",
          () -> (int) tokens.stream().filter(IMqttToken::isComplete).count(), count,
          Duration.ofSeconds(15), Duration.ofSeconds(60));

      // Verify
      List<String> failed = tokens.stream().filter(t -> t.getException() != null)
          .map(t -> t.getMessageId() + ": " + t.getException()).limit(10).toList();
      assertEquals(List.of(), failed, "failed publishes");
      assertTrue(publisher.isConnected(), "the publisher was disconnected: " + problems);
      assertDeliveredExactlyOnce(received, count, problems);
    } finally {
      Clients.closeQuietly(publisher);
      Clients.closeQuietly(subscriber);
    }
  }

  // ------------------------------------------------------------------ 4. MQTT 5 Receive Maximum

  /**
   * MQTT 5.0 3.2.2.3.3: the Server's Receive Maximum in CONNACK limits "the number of QoS 1 and
   * QoS 2 publications that it is willing to process concurrently for the Client"; absent, it is
   * 65,535. 3.3.4: "The Client MUST NOT send more than Receive Maximum QoS 1 and QoS 2 PUBLISH
   * packets for which it has not received PUBACK, PUBCOMP, or PUBREC with a Reason Code of 128
   * or greater from the Server [MQTT-3.3.4-7]. If it receives more than Receive Maximum QoS 1 and
   * QoS 2 PUBLISH packets where it has not sent a PUBACK or PUBCOMP in response, the Server uses
   * a DISCONNECT packet with Reason Code 0x93 (Receive Maximum exceeded)".
   *
   * <p>A raw client writes Receive Maximum + 1 QoS 2 PUBLISH packets and 300 more in a single
   * write, never sending PUBREL. It must read the PUBRECs for the allowed ones, the DISCONNECT
   * 0x93, then EOF: the broker closes with a lingering close, so the 300 packets it never
   * processed do not turn the close into a reset that destroys the DISCONNECT.
   */
  @Test
  void mqtt5RawClientExceedingReceiveMaximumReadsDisconnect0x93ThenEof() throws Exception {
    String run = UUID.randomUUID().toString();
    String topic = "flow/receive-maximum/" + run + "/raw";
    ExecutorService writer = Executors.newSingleThreadExecutor();
    try (PacedClient client = PacedClient.open(MQTT_PORT, ProtocolVersion.MQTT_5, 0)) {
      ConnAck connAck = client.connect("flow-rm-raw-" + run, 60, Properties.EMPTY);
      assertEquals(ReasonCode.SUCCESS, connAck.reasonCode());
      int receiveMaximum = connAck.properties().intOr(Property.RECEIVE_MAXIMUM, 65_535);
      assertTrue(receiveMaximum <= 1_000, "this test needs a small Receive Maximum, the broker "
          + "announced " + receiveMaximum);
      int extra = 300;
      byte[] payload = new byte[1024];
      List<Publish> publishes = IntStream.rangeClosed(1, receiveMaximum + 1 + extra)
          .mapToObj(id -> new Publish(topic, payload, QoS.EXACTLY_ONCE, false, false, id,
              Properties.EMPTY))
          .toList();

      // Exercise: one write; on its own thread, since the broker may stop reading part-way
      byte[] bytes = PacedClient.encode(publishes, ProtocolVersion.MQTT_5);
      Future<?> written = writer.submit(() -> {
        client.socket().getOutputStream().write(bytes);
        return null;
      });
      List<Packet> seen = new ArrayList<>();
      IOException readFailure = null;
      try {
        for (Packet packet = client.receive(); packet != null; packet = client.receive()) {
          seen.add(packet);
        }
      } catch (IOException e) {
        readFailure = e;
      }
      String writeOutcome = writeOutcome(written);
      String report = describe(seen) + (readFailure == null ? ", EOF" : ", then " + readFailure)
          + "; the " + bytes.length + "-byte write " + writeOutcome;
      System.out.println("FlowControlIT Receive Maximum " + receiveMaximum + ", raw: " + report);

      // Verify
      assertNull(readFailure, "the client could not read to EOF: " + report);
      long pubrecs = seen.stream().takeWhile(PubRec.class::isInstance).count();
      assertEquals(receiveMaximum, pubrecs, "a PUBREC for each allowed PUBLISH; " + report);
      for (int i = 0; i < receiveMaximum; i++) {
        PubRec pubrec = (PubRec) seen.get(i);
        assertEquals(i + 1, pubrec.packetId(), report);
        assertFalse(pubrec.reasonCode().isError(), report);
      }
      assertEquals(receiveMaximum + 1, seen.size(), "one DISCONNECT after the PUBRECs, then EOF; "
          + report);
      Disconnect disconnect = assertInstanceOf(Disconnect.class, seen.get(receiveMaximum),
          report);
      assertEquals(ReasonCode.RECEIVE_MAXIMUM_EXCEEDED, disconnect.reasonCode(), report);
    } finally {
      writer.shutdownNow();
    }
  }

  /**
   * The same over WebSocket, on Liberty's endpoint and on the adapter's ws listener: the client
   * sends its PUBLISH packets in one binary message and must receive the PUBRECs, the DISCONNECT
   * 0x93 and a Close frame, not an abortive end of the connection.
   */
  @ParameterizedTest(name = "ws on port {0}")
  @MethodSource("webSocketPorts")
  void mqtt5WebSocketClientExceedingReceiveMaximumReadsDisconnect0x93(int port) throws Exception {
    String run = UUID.randomUUID().toString();
    String topic = "flow/receive-maximum/" + run + "/ws";
    WebSocketPackets packets = new WebSocketPackets();
    java.net.http.WebSocket ws = java.net.http.HttpClient.newHttpClient().newWebSocketBuilder()
        .subprotocols("mqtt")
        .buildAsync(java.net.URI.create("ws://localhost:" + port + "/mqtt"), packets)
        .get(10, TimeUnit.SECONDS);
    ws.sendBinary(java.nio.ByteBuffer.wrap(PacedClient.encode(List.of(new org.ferrymq.packet
        .Connect(ProtocolVersion.MQTT_5, "flow-rm-ws-" + run, true, 60, null, null, null,
        Properties.EMPTY)), ProtocolVersion.MQTT_5)), true).get(5, TimeUnit.SECONDS);
    ConnAck connAck = assertInstanceOf(ConnAck.class, packets.next());
    int receiveMaximum = connAck.properties().intOr(Property.RECEIVE_MAXIMUM, 65_535);
    List<Publish> publishes = IntStream.rangeClosed(1, receiveMaximum + 1 + 300)
        .mapToObj(id -> new Publish(topic, new byte[256], QoS.EXACTLY_ONCE, false, false, id,
            Properties.EMPTY))
        .toList();

    // Exercise
    ws.sendBinary(java.nio.ByteBuffer.wrap(PacedClient.encode(publishes, ProtocolVersion.MQTT_5)),
        true);

    // Verify
    for (int id = 1; id <= receiveMaximum; id++) {
      assertEquals(id, assertInstanceOf(PubRec.class, packets.next()).packetId());
    }
    Disconnect disconnect = assertInstanceOf(Disconnect.class, packets.next());
    assertEquals(ReasonCode.RECEIVE_MAXIMUM_EXCEEDED, disconnect.reasonCode());
    assertEquals(null, packets.next(), "nothing after the DISCONNECT");
    assertNull(packets.error, "the connection ended abortively instead of with a Close frame");
  }

  /** Decodes MQTT 5 packets from binary WebSocket messages; null once a Close frame came. */
  private static final class WebSocketPackets implements java.net.http.WebSocket.Listener {
    private final java.util.concurrent.LinkedBlockingQueue<Object> arrived =
        new java.util.concurrent.LinkedBlockingQueue<>();
    private final org.ferrymq.codec.DecoderContext context =
        new org.ferrymq.codec.DecoderContext(ProtocolVersion.MQTT_5, 268_435_460, false);
    private java.nio.ByteBuffer buffered = java.nio.ByteBuffer.allocate(0);
    volatile Throwable error;

    @Override
    public java.util.concurrent.CompletionStage<?> onBinary(java.net.http.WebSocket webSocket,
        java.nio.ByteBuffer data, boolean last) {
      java.nio.ByteBuffer joined = java.nio.ByteBuffer.allocate(buffered.remaining()
          + data.remaining());
      buffered = joined.put(buffered).put(data).flip();
      try {
        Packet packet;
        while ((packet = org.ferrymq.codec.MqttDecoder.decode(buffered, context)) != null) {
          arrived.add(packet);
        }
      } catch (org.ferrymq.codec.MalformedPacketException e) {
        arrived.add(e);
      }
      buffered = buffered.slice();
      webSocket.request(1);
      return null;
    }

    @Override
    public java.util.concurrent.CompletionStage<?> onClose(java.net.http.WebSocket webSocket,
        int statusCode, String reason) {
      arrived.add("closed " + statusCode);
      return null;
    }

    @Override
    public void onError(java.net.http.WebSocket webSocket, Throwable failure) {
      error = failure;
      arrived.add(failure);
    }

    /** @return the next packet, or null for the Close frame; fails on anything else */
    Packet next() throws InterruptedException {
      Object next = arrived.poll(15, TimeUnit.SECONDS);
      assertNotNull(next, "nothing arrived within 15 s");
      if (next instanceof String) {
        return null;
      }
      return assertInstanceOf(Packet.class, next, "expected a packet, got " + next);
    }
  }

  /**
   * Paho's MQTT 5 client honours the Receive Maximum the broker announced: publishing QoS 2
   * messages as fast as it can, it keeps at most that many in flight and is never disconnected.
   *
   * <p>The window has to fill for the test to mean anything, and on a fast machine an idle broker
   * completes QoS 2 flows quicker than Paho issues them. So a raw subscriber takes the messages at
   * QoS 1 and reads nothing until Paho has refused a publish for a full window: its queue fills,
   * the broker holds the publisher's PUBRECs back (backpressure), and the window fills whatever
   * the machine's speed. Then the subscriber reads and acknowledges everything, and every message
   * Paho completed must reach it.
   *
   * <p>MQTT 5.0 4.9: the client "MUST NOT send more than Receive Maximum QoS 1 and QoS 2 PUBLISH
   * packets for which it has not received PUBACK, PUBCOMP, or PUBREC with a Reason Code of 128 or
   * greater" [MQTT-4.9.0-2]; a client that stays within it is not to be disconnected with 0x93.
   */
  @Test
  void mqtt5PahoClientIsThrottledByTheAnnouncedReceiveMaximumNotDisconnected() throws Exception {
    String run = UUID.randomUUID().toString();
    String topic = "flow/receive-maximum/" + run + "/paho";
    // more than the subscriber's queue (mqtt.queue.max-messages), in-flight window and socket
    // buffers hold, so the publisher must be held back before the subscriber starts reading
    int count = 3_000;
    int size = 16 * 1024;
    List<String> problems = new CopyOnWriteArrayList<>();
    AtomicInteger refused = new AtomicInteger();
    Tally received = new Tally(1, count);
    AtomicReference<Throwable> subscriberFailure = new AtomicReference<>();
    org.eclipse.paho.mqttv5.client.MqttAsyncClient client =
        new org.eclipse.paho.mqttv5.client.MqttAsyncClient(TCP, "flow-rm-paho-" + run,
            new org.eclipse.paho.mqttv5.client.persist.MemoryPersistence());
    client.setCallback(new V5Problems(problems));
    try (PacedClient subscriber = PacedClient.open(MQTT_PORT, ProtocolVersion.MQTT_3_1_1,
        8 * 1024)) {
      assertEquals(ReasonCode.SUCCESS,
          subscriber.connect("flow-rm-sub-" + run, 60, Properties.EMPTY).reasonCode());
      subscriber.send(new Subscribe(1, List.of(new Subscription(topic, QoS.AT_LEAST_ONCE)),
          Properties.EMPTY));
      SubAck subAck = assertInstanceOf(SubAck.class, subscriber.receive());
      assertEquals(List.of(ReasonCode.GRANTED_QOS_1), subAck.reasonCodes());
      startAcknowledging(subscriber, received, count, subscriberFailure,
          () -> await("Paho's in-flight window fills while the subscriber reads nothing")
              .atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(5))
              .until(() -> refused.get() > 0), "flow-rm-subscriber");

      org.eclipse.paho.mqttv5.client.MqttConnectionOptions options =
          new org.eclipse.paho.mqttv5.client.MqttConnectionOptions();
      options.setCleanStart(true);
      options.setConnectionTimeout(10);
      options.setKeepAliveInterval(60);
      options.setAutomaticReconnect(false);
      org.eclipse.paho.mqttv5.client.IMqttToken connected = client.connect(options);
      connected.waitForCompletion(10_000);
      Integer announced = connected.getResponseProperties().getReceiveMaximum();
      assertNotNull(announced, "CONNACK carries the broker's Receive Maximum");
      AtomicInteger completed = new AtomicInteger();
      org.eclipse.paho.mqttv5.client.MqttActionListener done =
          new org.eclipse.paho.mqttv5.client.MqttActionListener() {
            @Override
            public void onSuccess(org.eclipse.paho.mqttv5.client.IMqttToken token) {
              completed.incrementAndGet();
            }

            @Override
            public void onFailure(org.eclipse.paho.mqttv5.client.IMqttToken token,
                Throwable cause) {
              problems.add("publish " + token.getMessageId() + " failed: " + cause);
              completed.incrementAndGet();
            }
          };

      // Exercise: as fast as the client lets us
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      for (int seq = 0; seq < count; seq++) {
        while (true) {
          try {
            client.publish(topic, payload(0, seq, size), 2, false, null, done);
            break;
          } catch (org.eclipse.paho.mqttv5.common.MqttException e) {
            if (e.getReasonCode() != org.eclipse.paho.mqttv5.client.MqttClientException
                .REASON_CODE_MAX_INFLIGHT || System.nanoTime() > deadline) {
              throw e;
            }
            refused.incrementAndGet();
            LockSupport.parkNanos(20_000);
          }
        }
      }
      awaitCount("completed QoS 2 publishes", completed::get, count, Duration.ofSeconds(15),
          Duration.ofSeconds(60));
      awaitCount("messages at the subscriber", received::unique, count, Duration.ofSeconds(15),
          Duration.ofSeconds(60));
      String report = "Receive Maximum " + announced + "; " + refused.get()
          + " publish calls refused by Paho's in-flight window; subscriber got "
          + received.unique() + " of " + count + " (" + received.all() + " with resends)";
      System.out.println("FlowControlIT Receive Maximum, Paho v5: " + report);

      // Verify
      assertNull(subscriberFailure.get(), report);
      assertEquals(List.of(), problems, report);
      assertTrue(client.isConnected(), report);
      // Paho only refuses a publish when Receive Maximum of them are unacknowledged: the
      // broker saw the window full and did not take it for a violation
      assertTrue(refused.get() > 0, "Paho's window never filled, so the Receive Maximum was "
          + "not reached; " + report);
      assertEquals(count, received.unique(), report);
    } finally {
      try {
        if (client.isConnected()) {
          client.disconnect().waitForCompletion(2_000);
        }
        client.close();
      } catch (org.eclipse.paho.mqttv5.common.MqttException e) {
        // already gone
      }
    }
  }

  // ------------------------------------------------------------------ 5. stuck subscriber

  /**
   * An MQTT 5 subscriber at QoS 1 that never reads its socket. Its publisher, 16 KiB messages
   * with 100 in flight, fills the kernel buffers, the subscriber's in-flight window and its queue;
   * then its PUBACKs are held back and it stalls. After mqtt.slow-subscriber-timeout the broker
   * disconnects the subscriber and the publisher resumes and completes everything. As the
   * subscriber reads nothing it is cut off at once; should its stalled queue time out first, it
   * gets DISCONNECT 0x97 ("Quota exceeded", MQTT 5.0 2.4) and a lingering close instead.
   */
  @Test
  void stuckRawSubscriberIsDisconnectedAndItsPublisherResumes() throws Exception {
    String run = UUID.randomUUID().toString();
    String topic = "flow/stuck/" + run + "/raw";
    try (PacedClient stuck = PacedClient.open(MQTT_PORT, ProtocolVersion.MQTT_5, 8 * 1024)) {
      assertEquals(ReasonCode.SUCCESS,
          stuck.connect("flow-stuck-raw-sub-" + run, 60, Properties.EMPTY).reasonCode());
      stuck.send(new Subscribe(1, List.of(new Subscription(topic, QoS.AT_LEAST_ONCE)),
          Properties.EMPTY));
      SubAck subAck = assertInstanceOf(SubAck.class, stuck.receive());
      assertEquals(List.of(ReasonCode.GRANTED_QOS_1), subAck.reasonCodes());

      // Exercise: from here on the subscriber reads nothing
      String report = publishPastAStuckSubscriber(topic, "raw-" + run);
      List<Packet> seen = new ArrayList<>();
      IOException readFailure = null;
      try {
        for (Packet packet = stuck.receive(); packet != null; packet = stuck.receive()) {
          seen.add(packet);
        }
      } catch (IOException e) {
        readFailure = e;
      }
      report += "; the stuck subscriber then read " + describe(seen)
          + (readFailure == null ? ", EOF" : ", then " + readFailure);
      System.out.println("FlowControlIT stuck raw subscriber: " + report);

      // Verify: a client that reads nothing is cut off at once (EOF or reset after what the
      // kernel buffers held); if its stalled queue timed out first, it is told why with 0x97
      List<Packet> notPublish = seen.stream().filter(p -> !(p instanceof Publish)).toList();
      if (!notPublish.isEmpty()) {
        assertEquals(1, notPublish.size(), "only PUBLISH packets and one DISCONNECT; " + report);
        Disconnect disconnect = assertInstanceOf(Disconnect.class, seen.get(seen.size() - 1),
            report);
        assertEquals(ReasonCode.QUOTA_EXCEEDED, disconnect.reasonCode(), report);
        assertNull(readFailure, "after DISCONNECT the close lingers, no reset: " + report);
      }
    }
  }

  /**
   * The same with Paho as the stuck subscriber: its messageArrived blocks on a latch, so Paho
   * stops reading the socket and acknowledges nothing. The publisher completes while it is still
   * blocked; once it is let go, Paho finds the connection closed by the broker (connectionLost).
   * (Paho cannot report that earlier: its receiver thread waits for the blocked callback.)
   */
  @Test
  void stuckPahoSubscriberIsDisconnectedAndItsPublisherResumes() throws Exception {
    String run = UUID.randomUUID().toString();
    String topic = "flow/stuck/" + run + "/paho";
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger arrived = new AtomicInteger();
    CompletableFuture<Throwable> lost = new CompletableFuture<>();
    MqttAsyncClient subscriber = new MqttAsyncClient(TCP, "flow-stuck-paho-sub-" + run,
        new MemoryPersistence());
    subscriber.setCallback(new MqttCallback() {
      @Override
      public void connectionLost(Throwable cause) {
        lost.complete(cause);
      }

      @Override
      public void messageArrived(String t, MqttMessage message) throws InterruptedException {
        arrived.incrementAndGet();
        release.await();
      }

      @Override
      public void deliveryComplete(IMqttDeliveryToken token) {
        // the subscriber publishes nothing
      }
    });
    try {
      subscriber.connect(v3Options(10)).waitForCompletion(10_000);
      subscriber.subscribe(topic, 1).waitForCompletion(10_000);

      // Exercise
      String report = publishPastAStuckSubscriber(topic, "paho-" + run);
      int arrivedWhileStuck = arrived.get();
      boolean lostWhileStuck = lost.isDone();
      release.countDown();
      Throwable cause;
      try {
        cause = lost.get(15, TimeUnit.SECONDS);
      } catch (java.util.concurrent.TimeoutException e) {
        cause = null;
      }
      report += "; messageArrived entered " + arrivedWhileStuck + " time(s) while stuck; "
          + "connectionLost after the release: " + cause;
      System.out.println("FlowControlIT stuck Paho subscriber: " + report);

      // Verify
      assertEquals(1, arrivedWhileStuck, "the subscriber was stuck in its first messageArrived; "
          + report);
      assertFalse(lostWhileStuck, report);
      assertNotNull(cause, "the subscriber's connection was still open: the broker never "
          + "disconnected it; " + report);
    } finally {
      release.countDown();
      Clients.closeQuietly(subscriber);
    }
  }

  /**
   * Publishes 1,500 QoS 1 messages of 16 KiB to {@code topic}, whose only subscriber takes
   * nothing: more than its in-flight window, queue and socket buffers hold. Checks that the
   * publisher stalled (it was held back rather than acknowledged into a queue that drops) and
   * then completed everything once the broker disconnected the subscriber.
   *
   * @return a one-line report
   */
  private static String publishPastAStuckSubscriber(String topic, String name) throws Exception {
    int count = 1_500;
    List<String> problems = new CopyOnWriteArrayList<>();
    AtomicLongArray ackedAt = new AtomicLongArray(count);
    AtomicInteger slot = new AtomicInteger();
    AtomicInteger acked = new AtomicInteger();
    ExecutorService pool = Executors.newSingleThreadExecutor();
    MqttAsyncClient publisher = connectV3("flow-stuck-pub-" + name, 100, problems);
    try {
      long start = System.nanoTime();
      Future<?> run = pool.submit(() -> {
        publishAll(publisher, topic, 0, count, 1, 100, 16 * 1024,
            seq -> {
              ackedAt.set(slot.getAndIncrement(), System.nanoTime());
              acked.incrementAndGet();
            }, problems);
        return null;
      });
      await("all publishes complete once the stuck subscriber is gone")
          .atMost(Duration.ofSeconds(SLOW_SUBSCRIBER_TIMEOUT_SECONDS + CLOSE_DRAIN_SECONDS + 20))
          .until(() -> acked.get() == count || run.isDone());
      run.get(10, TimeUnit.SECONDS);
      awaitCount("acknowledgements", acked::get, count, Duration.ofSeconds(10),
          Duration.ofSeconds(30));
      long[] times = IntStream.range(0, count).mapToLong(ackedAt::get).toArray();
      long longestGap = 0;
      int stalledAfter = 0;
      long stallEnd = 0;
      long previous = start;
      for (int i = 0; i < count; i++) {
        if (times[i] - previous > longestGap) {
          longestGap = times[i] - previous;
          stalledAfter = i;
          stallEnd = times[i];
        }
        previous = times[i];
      }
      String report = String.format("publisher held back after %d of %d acknowledgements for "
          + "%.1f s, resumed %.1f s after it started, done after %.1f s", stalledAfter, count,
          longestGap / 1e9, (stallEnd - start) / 1e9, (times[count - 1] - start) / 1e9);

      // Verify
      assertEquals(List.of(), problems, report);
      assertTrue(longestGap >= TimeUnit.MILLISECONDS.toNanos(
          SLOW_SUBSCRIBER_TIMEOUT_SECONDS * 1000L / 2), "the publisher was never held back: "
          + "a broker that keeps what it acknowledged must stop acknowledging once the stuck "
          + "subscriber's queue is full; " + report);
      return report;
    } finally {
      pool.shutdownNow();
      Clients.closeQuietly(publisher);
    }
  }

  // ------------------------------------------------------------------ helpers

  /**
   * Starts a daemon thread that waits for {@code startWhen} to return, then reads
   * {@code subscriber} and acknowledges every QoS 1 PUBLISH until {@code total} distinct messages
   * arrived; the first failure goes to {@code failure}.
   */
  private static void startAcknowledging(PacedClient subscriber, Tally received, int total,
      AtomicReference<Throwable> failure, Runnable startWhen, String name) {
    Thread reader = new Thread(() -> {
      try {
        startWhen.run();
        while (received.unique() < total) {
          Packet packet = subscriber.receive();
          if (packet == null) {
            throw new IOException("the broker closed the subscriber's connection after "
                + received.unique() + " messages");
          }
          if (packet instanceof Publish publish) {
            received.mark(publish.payload());
            subscriber.send(new PubAck(publish.packetId()));
          }
        }
      } catch (Throwable e) {
        failure.compareAndSet(null, e);
      }
    }, name);
    reader.setDaemon(true);
    reader.start();
  }

  /**
   * Publishes {@code count} messages carrying {@code (source, sequence)} with at most
   * {@code window} unacknowledged, retrying when Paho's own in-flight limit refuses one.
   */
  private static void publishAll(MqttAsyncClient client, String topic, int source, int count,
      int qos, int window, int size, IntConsumer onAcked, List<String> problems)
      throws Exception {
    Semaphore permits = new Semaphore(window);
    for (int seq = 0; seq < count; seq++) {
      if (!permits.tryAcquire(60, TimeUnit.SECONDS)) {
        throw new AssertionError(client.getClientId() + " got no acknowledgement for 60 s with "
            + window + " messages in flight, at message " + seq);
      }
      int sequence = seq;
      IMqttActionListener done = new IMqttActionListener() {
        @Override
        public void onSuccess(IMqttToken token) {
          onAcked.accept(sequence);
          permits.release();
        }

        @Override
        public void onFailure(IMqttToken token, Throwable cause) {
          problems.add(client.getClientId() + " message " + sequence + ": " + cause);
          permits.release();
        }
      };
      byte[] payload = payload(source, seq, size);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (true) {
        try {
          client.publish(topic, payload, qos, false, null, done);
          break;
        } catch (MqttException e) {
          // Paho frees its slot just after the callback that released our permit
          if (e.getReasonCode() != MqttException.REASON_CODE_MAX_INFLIGHT
              || System.nanoTime() > deadline) {
            throw e;
          }
          LockSupport.parkNanos(50_000);
        }
      }
    }
  }

  private static MqttConnectOptions v3Options(int maxInflight) {
    MqttConnectOptions options = new MqttConnectOptions();
    options.setCleanSession(true);
    options.setConnectionTimeout(10);
    options.setKeepAliveInterval(60);
    options.setMaxInflight(maxInflight);
    options.setAutomaticReconnect(false);
    options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
    return options;
  }

  /** A connected Paho MQTT 3.1.1 client that adds a lost connection to {@code problems}. */
  private static MqttAsyncClient connectV3(String clientId, int maxInflight,
      List<String> problems) throws MqttException {
    return connectV3(TCP, clientId, maxInflight, problems);
  }

  private static MqttAsyncClient connectV3(String serverUri, String clientId, int maxInflight,
      List<String> problems) throws MqttException {
    MqttAsyncClient client = newV3(serverUri, clientId, problems);
    client.connect(v3Options(maxInflight)).waitForCompletion(10_000);
    return client;
  }

  /** A Paho MQTT 3.1.1 client, not connected yet, that adds a lost connection to problems. */
  private static MqttAsyncClient newV3(String clientId, List<String> problems)
      throws MqttException {
    return newV3(TCP, clientId, problems);
  }

  private static MqttAsyncClient newV3(String serverUri, String clientId, List<String> problems)
      throws MqttException {
    MqttAsyncClient client = new MqttAsyncClient(serverUri, clientId, new MemoryPersistence());
    client.setCallback(new MqttCallback() {
      @Override
      public void connectionLost(Throwable cause) {
        problems.add(clientId + " lost its connection: " + cause);
      }

      @Override
      public void messageArrived(String topic, MqttMessage message) {
        // subscriptions have their own listeners
      }

      @Override
      public void deliveryComplete(IMqttDeliveryToken token) {
        // publishes have their own listeners
      }
    });
    return client;
  }

  /** A Paho MQTT 3.1.1 subscriber marking each payload it receives in {@code received}. */
  private static MqttAsyncClient subscribeV3(String clientId, String filter, int qos,
      Tally received, List<String> problems) throws MqttException {
    MqttAsyncClient client = connectV3(clientId, 10, problems);
    IMqttMessageListener listener = (topic, message) -> received.mark(message.getPayload());
    IMqttToken subscribed = client.subscribe(filter, qos, listener);
    subscribed.waitForCompletion(10_000);
    assertEquals(qos, subscribed.getGrantedQos()[0]);
    return client;
  }

  private static void assertDeliveredExactlyOnce(Tally received, int count,
      List<String> problems) {
    awaitCount("messages at the subscriber", received::unique, count, Duration.ofSeconds(10),
        Duration.ofSeconds(60));
    // Late duplicates would arrive within a second of the last original
    await("no duplicates").during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5))
        .until(() -> received.all() == count);
    assertEquals(List.of(), problems);
  }

  /** Reads {@code count} acknowledgements of one type; fails on anything else or a close. */
  private static <T extends Packet> List<Integer> readAcks(PacedClient client, Class<T> type,
      int count, String name) throws IOException {
    List<Integer> ids = new ArrayList<>();
    while (ids.size() < count) {
      Packet packet = client.receive();
      if (!type.isInstance(packet)) {
        throw new AssertionError("after " + ids.size() + " " + name + " the broker sent "
            + (packet == null ? "EOF" : packet));
      }
      if (packet instanceof PubRec pubrec) {
        ids.add(pubrec.packetId());
      } else if (packet instanceof PubComp pubcomp) {
        ids.add(pubcomp.packetId());
      } else {
        ids.add(((PubAck) packet).packetId());
      }
    }
    return ids;
  }

  /**
   * Waits until {@code value} reaches {@code target}, failing as soon as it stops moving for
   * {@code stall}: a lost message shows within seconds, not at the end of a long timeout.
   */
  private static void awaitCount(String what, IntSupplier value, int target, Duration stall,
      Duration atMost) {
    long[] last = {Long.MIN_VALUE, System.nanoTime()};
    await(what).atMost(atMost).pollInterval(Duration.ofMillis(20)).until(() -> {
      int now = value.getAsInt();
      if (now >= target) {
        return true;
      }
      if (now != last[0]) {
        last[0] = now;
        last[1] = System.nanoTime();
      } else if (System.nanoTime() - last[1] > stall.toNanos()) {
        throw new AssertionError(what + ": stuck at " + now + " of " + target + " for "
            + stall.toSeconds() + " s");
      }
      return false;
    });
  }

  /** @return e.g. "PUBREC x100 (ids 1..100), DISCONNECT 0x93" */
  private static String describe(List<Packet> packets) {
    StringBuilder out = new StringBuilder();
    int i = 0;
    while (i < packets.size()) {
      Packet first = packets.get(i);
      int j = i;
      while (j < packets.size() && packets.get(j).getClass() == first.getClass()) {
        j++;
      }
      if (out.length() > 0) {
        out.append(", ");
      }
      out.append(first.type());
      if (first instanceof Disconnect d) {
        out.append(String.format(" 0x%02X", d.reasonCode().value()));
      }
      if (j - i > 1) {
        out.append(" x").append(j - i);
      }
      i = j;
    }
    return out.length() == 0 ? "nothing" : out.toString();
  }

  private static String writeOutcome(Future<?> write) {
    try {
      write.get(20, TimeUnit.SECONDS);
      return "completed";
    } catch (ExecutionException e) {
      return "failed: " + e.getCause();
    } catch (Exception e) {
      return "did not finish: " + e;
    }
  }

  /** @return a payload of at least 8 bytes starting with {@code source} and {@code seq} */
  private static byte[] payload(int source, int seq, int size) {
    return ByteBuffer.allocate(Math.max(8, size)).putInt(source).putInt(seq).array();
  }

  private static String scrape() throws Exception {
    var response = get("/metrics");
    assertEquals(200, response.statusCode(), response.body());
    return response.body();
  }

  /** @return the value of the first Prometheus sample whose name starts with {@code prefix} */
  private static OptionalDouble sample(String prometheus, String prefix) {
    for (String line : prometheus.split("\n")) {
      if (line.startsWith(prefix)) {
        return OptionalDouble.of(Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)));
      }
    }
    return OptionalDouble.empty();
  }

  /** @return the heap in use after the latest garbage collection, in bytes */
  private static double heapAfterGc(String prometheus, double maxHeap) {
    double percent = sample(prometheus, "ferrymq_heap_after_gc")
        .orElseThrow(() -> new AssertionError("no ferrymq_heap_after_gc... in /metrics"));
    return percent / 100 * maxHeap;
  }

  private static double slowSubscribersDisconnected(String prometheus) {
    return sample(prometheus, "ferrymq_slow_subscribers_disconnected")
        .orElseThrow(() -> new AssertionError("no ferrymq_slow_subscribers_disconnected in "
            + "/metrics"));
  }

  @FunctionalInterface
  private interface ThrowableSupplier {
    Throwable get();
  }

  /** Records a lost connection or an error of a Paho MQTT 5 client. */
  private record V5Problems(List<String> problems)
      implements org.eclipse.paho.mqttv5.client.MqttCallback {

    @Override
    public void disconnected(org.eclipse.paho.mqttv5.client.MqttDisconnectResponse response) {
      problems.add("disconnected: " + response);
    }

    @Override
    public void mqttErrorOccurred(org.eclipse.paho.mqttv5.common.MqttException exception) {
      problems.add("error: " + exception);
    }

    @Override
    public void messageArrived(String topic,
        org.eclipse.paho.mqttv5.common.MqttMessage message) {
      // publishes only
    }

    @Override
    public void deliveryComplete(org.eclipse.paho.mqttv5.client.IMqttToken token) {
      // counted by the publish listener
    }

    @Override
    public void connectComplete(boolean reconnect, String serverUri) {
      // nothing to do
    }

    @Override
    public void authPacketArrived(int reasonCode,
        org.eclipse.paho.mqttv5.common.packet.MqttProperties properties) {
      // no enhanced authentication
    }
  }

  /**
   * Which {@code (source, sequence)} pairs were seen and how often; the payloads carry them in
   * their first eight bytes. Thread-safe.
   */
  static final class Tally {
    private final int sources;
    private final int perSource;
    private final AtomicIntegerArray counts;
    private final AtomicInteger unique = new AtomicInteger();
    private final AtomicInteger all = new AtomicInteger();

    Tally(int sources, int perSource) {
      this.sources = sources;
      this.perSource = perSource;
      this.counts = new AtomicIntegerArray(sources * perSource);
    }

    void mark(byte[] payload) {
      ByteBuffer b = ByteBuffer.wrap(payload);
      mark(b.getInt(0), b.getInt(4));
    }

    void mark(int source, int seq) {
      all.incrementAndGet();
      if (source < 0 || source >= sources || seq < 0 || seq >= perSource) {
        throw new IllegalArgumentException("unexpected message " + source + "/" + seq);
      }
      if (counts.getAndIncrement(source * perSource + seq) == 0) {
        unique.incrementAndGet();
      }
    }

    int unique() {
      return unique.get();
    }

    int all() {
      return all.get();
    }

    /** @return how many pairs {@code other} saw and this did not */
    int countMissingOf(Tally other) {
      int missing = 0;
      for (int i = 0; i < counts.length(); i++) {
        if (other.counts.get(i) > 0 && counts.get(i) == 0) {
          missing++;
        }
      }
      return missing;
    }

    /** @return up to {@code limit} pairs that {@code other} saw and this did not */
    List<String> missingOf(Tally other, int limit) {
      List<String> missing = new ArrayList<>();
      for (int i = 0; i < counts.length() && missing.size() < limit; i++) {
        if (other.counts.get(i) > 0 && counts.get(i) == 0) {
          missing.add(i / perSource + "/" + i % perSource);
        }
      }
      return missing;
    }
  }
}
