package org.ferrymq.bench;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.awaitility.core.ConditionTimeoutException;
import org.ferrymq.config.BrokerConfig;
import org.ferrymq.engine.MqttBroker;
import org.ferrymq.packet.QoS;
import org.ferrymq.transport.netty.BoundListener;
import org.ferrymq.transport.netty.ListenerSettings;
import org.ferrymq.transport.netty.MqttServer;
import org.ferrymq.transport.netty.WebSocketSettings;

/**
 * A bounded soak of the broker in persistent mode (MVStore): thousands of clients over TCP and
 * WebSocket with persistent sessions (Clean Session 0) publish at QoS 0, 1 and 2 and subscribe,
 * are dropped abruptly (socket closed without DISCONNECT) and reconnect, while the store fails
 * every write for the middle fifth of the run ({@link StoreFault}). Then every client reconnects,
 * what was in flight drains, every session is cleaned, and the run is tallied against what the
 * broker promised ({@link SoakReport}).
 *
 * <p>Clients come in groups on one topic each: one publisher per QoS level and
 * {@value #SUBSCRIBERS_PER_GROUP} subscribers at QoS 2, so each subscriber gets each message at
 * the publisher's QoS. Clients alternate between TCP and WebSocket. The lean generator clients
 * ({@link BenchClient}) cost one reader thread each, no more.
 */
final class Soak {
  static final int SUBSCRIBERS_PER_GROUP = 3;
  private static final int PUBLISHERS_PER_GROUP = 3;
  private static final int PAYLOAD_BYTES = 64;
  private static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
  private static final int STUCK_SECONDS = 30;
  private static final int WITNESSES = 4;
  private static final long KEEPER_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
  private static final QoS[] QOS_OF_PUBLISHER = {QoS.AT_MOST_ONCE, QoS.AT_LEAST_ONCE,
      QoS.EXACTLY_ONCE};

  /**
   * @param durationSeconds how long clients publish and churn
   * @param clients how many clients, rounded down to whole groups
   * @param ratePerPublisher messages per second each publisher sends
   * @param meanLifeSeconds average time between two abrupt drops of one client
   * @param drainSeconds how long to wait after the run for everything in flight to arrive
   */
  record Settings(int durationSeconds, int clients, double ratePerPublisher,
      double meanLifeSeconds, int drainSeconds) {

    /** Reads soak.duration, soak.clients, soak.rate, soak.life and soak.drain. */
    static Settings fromSystemProperties(int defaultSeconds, int defaultClients) {
      int duration = Integer.getInteger("soak.duration", defaultSeconds);
      return new Settings(duration, Integer.getInteger("soak.clients", defaultClients),
          Double.parseDouble(System.getProperty("soak.rate", "2")),
          Double.parseDouble(System.getProperty("soak.life", "20")),
          Integer.getInteger("soak.drain", 120));
    }
  }

  private final Settings settings;
  private final StoreFault fault;
  private final Path storeDirectory;
  private final Counters counters = new Counters();

  Soak(Settings settings, StoreFault fault, Path storeDirectory) {
    this.settings = settings;
    this.fault = fault;
    this.storeDirectory = storeDirectory;
  }

  /** Counts kept while clients run; atomics since connector, keeper and readers update them. */
  private static final class Counters {
    final AtomicLong connects = new AtomicLong();
    final AtomicLong reconnects = new AtomicLong();
    final AtomicLong abruptDrops = new AtomicLong();
    final AtomicLong endedByBroker = new AtomicLong();
    final AtomicLong connectFailures = new AtomicLong();
    final AtomicLong subscriberSessionsLost = new AtomicLong();
    final AtomicReference<String> firstConnectError = new AtomicReference<>();
    final AtomicLong peakHeap = new AtomicLong();
  }

  /** A client identity across its connections: a publisher or a subscriber. */
  private final class Member {
    final String id;
    final Endpoint endpoint;
    final String topic;
    final SoakPublisher publisher;
    final SoakSubscriber subscriber;
    volatile BenchClient connection;
    volatile boolean connectedOnce;

    Member(String id, Endpoint endpoint, String topic, SoakPublisher publisher,
        SoakSubscriber subscriber) {
      this.id = id;
      this.endpoint = endpoint;
      this.topic = topic;
      this.publisher = publisher;
      this.subscriber = subscriber;
    }

    void connect() throws IOException {
      BenchClient c = BenchClient.connect(endpoint, id, false, null, 1024);
      try {
        if (subscriber != null) {
          if (!c.sessionPresent()) {
            if (connectedOnce) {
              subscriber.sessionLost();
              counters.subscriberSessionsLost.incrementAndGet();
            }
            c.subscribe(topic, QoS.EXACTLY_ONCE);
          }
          subscriber.attach(c);
        } else {
          publisher.attach(c);
        }
      } catch (IOException | RuntimeException e) {
        c.abort();
        throw e;
      }
      (connectedOnce ? counters.reconnects : counters.connects).incrementAndGet();
      connectedOnce = true;
      connection = c;
    }
  }

  private record Group(String topic, List<SoakPublisher> publishers, List<Receiver> subscribers) {
  }

  SoakReport run() throws Exception {
    Map<String, String> config = Map.of("mqtt.lanes", "2");
    MqttBroker broker = MqttBroker.builder()
        .config(BrokerConfig.from(k -> Optional.ofNullable(config.get(k))))
        .persistence(fault.open(storeDirectory))
        .build();
    broker.start();
    AtomicInteger ioNumber = new AtomicInteger();
    ExecutorService io = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "soak-io-" + ioNumber.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    MqttServer server = new MqttServer(broker, io, 2);
    try {
      BoundListener tcp = server.bind(ListenerSettings.tcp("127.0.0.1", 0));
      BoundListener ws = server.bind(ListenerSettings.tcp("127.0.0.1", 0)
          .withWebSocket(WebSocketSettings.forMaxPacketSize(broker.config().maxPacketSize())));
      List<Endpoint> endpoints = List.of(
          new Endpoint("127.0.0.1", tcp.port(), "tcp", WebSocketSettings.DEFAULT_PATH),
          new Endpoint("127.0.0.1", ws.port(), "ws", WebSocketSettings.DEFAULT_PATH));
      warmUp(endpoints);
      Resources baseline = Resources.measure();
      SoakReport.Builder report = drive(endpoints, broker);
      Resources end = Resources.settle(baseline);
      return report.resources(baseline, counters.peakHeap.get(), end).build();
    } finally {
      server.close();
      broker.stop();
      io.shutdownNow();
    }
  }

  /**
   * Connects and cleanly disconnects one client per transport, so that the threads and buffers a
   * first connection starts lazily are part of the baseline, not counted as a leak.
   */
  private static void warmUp(List<Endpoint> endpoints) throws IOException {
    for (Endpoint e : endpoints) {
      BenchClient.connect(e, "soak-warm-up-" + e.transport(), true, null, 256).close();
    }
  }

  /** Runs the clients, tallies, disconnects them and cleans their sessions. */
  private SoakReport.Builder drive(List<Endpoint> endpoints, MqttBroker broker)
      throws Exception {
    String run = Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 28);
    int groupCount = Math.max(1, settings.clients() / (PUBLISHERS_PER_GROUP
        + SUBSCRIBERS_PER_GROUP));
    List<Member> members = new ArrayList<>();
    List<Group> groups = new ArrayList<>();
    for (int g = 0; g < groupCount; g++) {
      String topic = "soak/" + run + "/g" + g;
      List<SoakPublisher> pubs = new ArrayList<>();
      List<Receiver> subs = new ArrayList<>();
      for (int s = 0; s < SUBSCRIBERS_PER_GROUP; s++) {
        SoakSubscriber sub = new SoakSubscriber(PUBLISHERS_PER_GROUP);
        subs.add(sub);
        members.add(new Member("soak-" + run + "-g" + g + "-s" + s,
            endpoints.get(members.size() % endpoints.size()), topic, null, sub));
      }
      for (int p = 0; p < PUBLISHERS_PER_GROUP; p++) {
        SoakPublisher pub = new SoakPublisher(p, topic, QOS_OF_PUBLISHER[p], PAYLOAD_BYTES);
        pubs.add(pub);
        members.add(new Member("soak-" + run + "-g" + g + "-p" + p,
            endpoints.get(members.size() % endpoints.size()), topic, pub, null));
      }
      groups.add(new Group(topic, pubs, subs));
    }
    ScheduledExecutorService connector = Executors.newScheduledThreadPool(4, r -> {
      Thread t = new Thread(r, "soak-connect");
      t.setDaemon(true);
      return t;
    });
    Keeper keeper = new Keeper(members, connector);
    List<PahoWitness> witnesses = new ArrayList<>();
    long publishNanos;
    try {
      members.forEach(keeper::connectSoon);
      awaitQuietly(Duration.ofSeconds(60 + members.size() / 20),
          () -> members.stream().allMatch(m -> m.connection != null));
      addWitnesses(run, endpoints, groups, witnesses);
      keeper.start();
      publishNanos = publish(groups);
      keeper.churn = false;
      awaitDrained(members, groups);
      keeper.stop();
    } catch (Exception | Error e) {
      // Paho reconnects on its own threads: without this they would outlive the soak
      witnesses.forEach(Soak::closeQuietly);
      throw e;
    } finally {
      connector.shutdownNow();
      connector.awaitTermination(30, TimeUnit.SECONDS);
    }
    SoakReport.Builder report = tally(groups)
        .settings(settings, members.size() + witnesses.size(), publishNanos / 1e9,
            fault.describe())
        .connections(counters.connects.get(), counters.reconnects.get(),
            counters.abruptDrops.get(), counters.endedByBroker.get(),
            counters.connectFailures.get(), counters.firstConnectError.get(),
            counters.subscriberSessionsLost.get());
    witnesses.forEach(Soak::closeQuietly);
    List<Map.Entry<String, Endpoint>> sessions = new ArrayList<>();
    members.forEach(m -> sessions.add(Map.entry(m.id, m.endpoint)));
    witnesses.forEach(w -> sessions.add(Map.entry(w.clientId, endpoints.get(0))));
    disconnectAndClean(members, sessions);
    awaitQuietly(Duration.ofSeconds(60), () -> broker.clients().isEmpty());
    return report.sessionsLeft(broker.clients().size());
  }

  /**
   * Adds {@value #WITNESSES} Paho subscribers, MQTT 3.1.1 over TCP and MQTT 5 over WebSocket in
   * turn, one each to the first groups.
   */
  private static void addWitnesses(String run, List<Endpoint> endpoints, List<Group> groups,
      List<PahoWitness> witnesses) throws Exception {
    for (int i = 0; i < Math.min(WITNESSES, groups.size()); i++) {
      Group g = groups.get(i);
      String id = "soak-" + run + "-paho-" + i;
      Endpoint e = endpoints.get(i % endpoints.size());
      PahoWitness w = e.isWebSocket()
          ? PahoWitness.v5("ws://127.0.0.1:" + e.port() + e.path(), id, g.topic(),
              PUBLISHERS_PER_GROUP)
          : PahoWitness.v3("tcp://127.0.0.1:" + e.port(), id, g.topic(), PUBLISHERS_PER_GROUP);
      witnesses.add(w);
      g.subscribers().add(w);
    }
  }

  /** Publishes at the configured rate for the run's duration, the store fault in the middle. */
  private long publish(List<Group> groups) {
    List<SoakPublisher> publishers = groups.stream().flatMap(g -> g.publishers().stream())
        .toList();
    double[] phase = new double[publishers.size()];
    for (int i = 0; i < phase.length; i++) {
      phase[i] = ThreadLocalRandom.current().nextDouble();
    }
    long start = System.nanoTime();
    long duration = TimeUnit.SECONDS.toNanos(settings.durationSeconds());
    long faultStart = start + duration * 2 / 5;
    long faultEnd = start + duration * 3 / 5;
    boolean faulty = false;
    long now;
    while ((now = System.nanoTime()) - start < duration) {
      if (!faulty && now >= faultStart && now < faultEnd) {
        publishers.forEach(SoakPublisher::faultBegins);
        fault.begin();
        faulty = true;
      } else if (faulty && now >= faultEnd) {
        fault.end();
        publishers.forEach(SoakPublisher::faultEnds);
        faulty = false;
      }
      double seconds = (now - start) / 1e9;
      for (int i = 0; i < publishers.size(); i++) {
        publishers.get(i).publishUpTo((long) (seconds * settings.ratePerPublisher() + phase[i]));
      }
      counters.peakHeap.accumulateAndGet(Resources.heapUsed(), Math::max);
      LockSupport.parkNanos(TICK_NANOS);
    }
    if (faulty) {
      fault.end();
      publishers.forEach(SoakPublisher::faultEnds);
    }
    return System.nanoTime() - start;
  }

  /**
   * Waits until every client is connected, nothing is in flight and no acknowledged message is
   * missing; gives up after {@code drainSeconds}, or once nothing changed for
   * {@value #STUCK_SECONDS} s (what is missing then stays missing).
   */
  private void awaitDrained(List<Member> members, List<Group> groups) {
    AtomicReference<String> last = new AtomicReference<>("");
    AtomicLong lastChange = new AtomicLong(System.nanoTime());
    awaitQuietly(Duration.ofSeconds(settings.drainSeconds()), () -> {
      long connected = members.stream()
          .filter(m -> m.connection != null && m.connection.isOpen()).count();
      long inFlight = groups.stream().flatMap(g -> g.publishers().stream())
          .mapToLong(SoakPublisher::inFlight).sum();
      long missing = tally(groups).missing();
      if (connected == members.size() && inFlight == 0 && missing == 0) {
        return true;
      }
      String state = connected + "/" + inFlight + "/" + missing;
      if (!state.equals(last.getAndSet(state))) {
        lastChange.set(System.nanoTime());
      }
      return System.nanoTime() - lastChange.get() > TimeUnit.SECONDS.toNanos(STUCK_SECONDS);
    });
  }

  /** Counts per QoS what was sent, acknowledged, delivered, lost and duplicated. */
  private static SoakReport.Builder tally(List<Group> groups) {
    SoakReport.Builder r = new SoakReport.Builder();
    for (Group g : groups) {
      for (int p = 0; p < g.publishers().size(); p++) {
        SoakPublisher pub = g.publishers().get(p);
        int q = pub.qos.ordinal();
        BitSet acked = pub.acknowledged().snapshot();
        r.published(q, pub.sent(), acked.cardinality(), pub.refused(), pub.sessionsLost());
        for (int s = 0; s < g.subscribers().size(); s++) {
          SequenceSet got = g.subscribers().get(s).receivedFrom(p);
          BitSet missing = (BitSet) acked.clone();
          missing.andNot(got.snapshot());
          r.delivered(q, got.count(), got.duplicates(), missing, pub::sentDuringFault);
        }
      }
      for (Receiver s : g.subscribers()) {
        for (long sequence : s.qos2Duplicates()) {
          SoakPublisher pub = g.publishers().get(Publisher.indexOf(sequence));
          r.qos2Duplicate(Publisher.numberOf(sequence),
              pub.sentDuringFault(Publisher.numberOf(sequence)), s.isWitness());
        }
      }
    }
    return r;
  }

  /**
   * Closes every connection with DISCONNECT, then ends each session with a Clean Session 1
   * connect.
   */
  private void disconnectAndClean(List<Member> members,
      List<Map.Entry<String, Endpoint>> sessions) throws InterruptedException {
    for (Member m : members) {
      BenchClient c = m.connection;
      if (c != null) {
        c.close();
      }
    }
    ExecutorService cleaners = Executors.newFixedThreadPool(4);
    for (Map.Entry<String, Endpoint> session : sessions) {
      cleaners.execute(() -> {
        try {
          BenchClient.connect(session.getValue(), session.getKey(), true, null, 256).close();
        } catch (IOException e) {
          counters.firstConnectError.compareAndSet(null, "cleaning " + session.getKey() + ": "
              + e);
        }
      });
    }
    cleaners.shutdown();
    cleaners.awaitTermination(5, TimeUnit.MINUTES);
  }

  private static void closeQuietly(PahoWitness w) {
    try {
      w.close();
    } catch (Exception e) {
      System.err.println("closing " + w.clientId + ": " + e);
    }
  }

  private static void awaitQuietly(Duration atMost, java.util.concurrent.Callable<Boolean> done) {
    try {
      await().atMost(atMost).pollInterval(Duration.ofMillis(500)).until(done);
    } catch (ConditionTimeoutException e) {
      // the report shows what did not happen
    }
  }

  /**
   * Reconnects clients whose connection ended, after a short random pause, and while churning
   * drops random clients abruptly so that each lives {@code meanLifeSeconds} on average.
   */
  private final class Keeper {
    private final List<Member> members;
    private final ScheduledExecutorService connector;
    private final Thread thread;
    volatile boolean churn = true;
    private volatile boolean stopped;

    Keeper(List<Member> members, ScheduledExecutorService connector) {
      this.members = members;
      this.connector = connector;
      this.thread = new Thread(this::run, "soak-keeper");
      thread.setDaemon(true);
    }

    void start() {
      thread.start();
    }

    void stop() throws InterruptedException {
      stopped = true;
      thread.join();
    }

    void connectSoon(Member m) {
      connector.execute(() -> connectOrRetry(m));
    }

    private void connectOrRetry(Member m) {
      try {
        m.connect();
      } catch (IOException | RuntimeException e) {
        counters.connectFailures.incrementAndGet();
        counters.firstConnectError.compareAndSet(null, m.id + ": " + e.getMessage());
        if (!stopped) {
          connector.schedule(() -> connectOrRetry(m), 1, TimeUnit.SECONDS);
        }
      }
    }

    private void run() {
      ThreadLocalRandom random = ThreadLocalRandom.current();
      double dropsPerRound = members.size() * (KEEPER_NANOS / 1e9) / settings.meanLifeSeconds();
      double owed = 0;
      while (!stopped) {
        if (churn) {
          owed += dropsPerRound;
          for (; owed >= 1; owed--) {
            BenchClient c = members.get(random.nextInt(members.size())).connection;
            if (c != null && c.isOpen()) {
              c.abort();
              counters.abruptDrops.incrementAndGet();
            }
          }
        }
        for (Member m : members) {
          BenchClient c = m.connection;
          if (c != null && !c.isOpen()) {
            if (!c.isClosed()) {
              counters.endedByBroker.incrementAndGet();
            }
            m.connection = null;
            if (m.publisher != null) {
              m.publisher.detach();
            }
            connector.schedule(() -> connectOrRetry(m), 200 + random.nextInt(1300),
                TimeUnit.MILLISECONDS);
          }
        }
        LockSupport.parkNanos(KEEPER_NANOS);
      }
    }
  }
}
