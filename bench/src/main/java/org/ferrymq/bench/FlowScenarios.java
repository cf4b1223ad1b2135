package org.ferrymq.bench;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.ferrymq.packet.QoS;

/**
 * The message-flow scenarios: fan-in, fan-out, latency and the 1-to-1 throughputs (QoS 2,
 * persistent session QoS 1). Each uses fresh client ids and topics under a random prefix so that
 * runs never see each other's messages. Every result carries the {@link Delivery} check: a QoS
 * 1/2 run in which the broker lost an acknowledged message is marked {@code status=FAILED}.
 *
 * <p>Publishers connect to {@code --host/--port}, subscribers to {@code --sub-host/--sub-port}
 * (the same broker unless given, or another node of a cluster); each result says where, as
 * {@code pub_at} and {@code sub_at}. Before a flow starts, a {@link SubscriptionProbe} makes sure
 * its subscriptions are in effect on the publishers' broker ({@code sub_visible_ms}).
 */
final class FlowScenarios {
  private static final int BUFFER = 64 * 1024;

  private final BenchOptions o;
  private final Endpoint endpoint;
  private final Endpoint subscribers;
  private final String prefix;
  /** Milliseconds the last flow's probe took until its subscriptions were in effect. */
  private long visibleMillis;

  FlowScenarios(BenchOptions o) {
    this.o = o;
    this.endpoint = o.endpoint();
    this.subscribers = o.subscriberEndpoint();
    this.prefix = "bench/" + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 16);
  }

  /** N publishers on their own topics, one subscriber on the wildcard covering them. */
  Result fanIn(int qosLevel) throws IOException, InterruptedException {
    QoS qos = QoS.of(qosLevel);
    String base = prefix + "/fanin" + qosLevel;
    List<BenchClient> clients = new ArrayList<>();
    try {
      Subscriber sub = subscriber(clients, base + "-sub", base + "/+", qos, true, null,
          o.publishers);
      awaitSubscriptions(base, base + "/probe", List.of(sub));
      List<Publisher> pubs = new ArrayList<>();
      for (int i = 0; i < o.publishers; i++) {
        pubs.add(publisher(clients, i, base + "-pub" + i, base + "/" + i, qos, 0,
            o.messages / o.publishers, true));
      }
      closeLoop(sub, pubs);
      return flowResult("fanin", qos, List.of(sub), pubs).put("publishers", o.publishers);
    } finally {
      clients.forEach(BenchClient::close);
    }
  }

  /** One publisher, N subscribers on its topic; each must receive every acknowledged message. */
  Result fanOut(int qosLevel) throws IOException, InterruptedException {
    QoS qos = QoS.of(qosLevel);
    String base = prefix + "/fanout" + qosLevel;
    List<BenchClient> clients = new ArrayList<>();
    try {
      List<Subscriber> subs = new ArrayList<>();
      for (int i = 0; i < o.subscribers; i++) {
        subs.add(subscriber(clients, base + "-sub" + i, base, qos, true, null, 1));
      }
      awaitSubscriptions(base, base, subs);
      Publisher pub = publisher(clients, 0, base + "-pub", base, qos, 0, o.messages, true);
      // paced by the last subscriber to connect; the others see the same stream
      closeLoop(subs.get(subs.size() - 1), List.of(pub));
      return flowResult("fanout", qos, subs, List.of(pub)).put("subscribers", o.subscribers);
    } finally {
      clients.forEach(BenchClient::close);
    }
  }

  /** 1 to 1 at QoS 1 and a fixed rate: end-to-end latency percentiles. */
  Result latency() throws IOException, InterruptedException {
    String base = prefix + "/latency";
    List<BenchClient> clients = new ArrayList<>();
    try {
      Percentiles p = new Percentiles(o.rate * o.durationSeconds);
      Subscriber sub = subscriber(clients, base + "-sub", base, QoS.AT_LEAST_ONCE, true, p, 1);
      awaitSubscriptions(base, base, List.of(sub));
      Publisher pub = publisher(clients, 0, base + "-pub", base, QoS.AT_LEAST_ONCE, o.rate,
          o.messages, true);
      CpuMeter cpu = new CpuMeter(o.brokerPids);
      FlowRun.Measured m = FlowRun.run(o, QoS.AT_LEAST_ONCE.value(), List.of(sub), List.of(pub),
          cpu, () -> sub.record(true));
      sub.record(false);
      Result r = base("latency", QoS.AT_LEAST_ONCE, m, false).put("rate", o.rate);
      synchronized (p) {
        r.put("samples", p.count())
            .put("p50_us", p.percentile(50) / 1e3, 1)
            .put("p99_us", p.percentile(99) / 1e3, 1)
            .put("p999_us", p.percentile(99.9) / 1e3, 1)
            .put("max_us", p.percentile(100) / 1e3, 1);
      }
      cpu.addTo(r);
      return r;
    } finally {
      clients.forEach(BenchClient::close);
    }
  }

  /**
   * 1 to 1 throughput with a window of unacknowledged messages.
   *
   * @param persistent both clients keep their sessions (clean session 0); the sessions are
   *     removed afterwards by reconnecting with clean session 1
   */
  Result pair(String scenario, QoS qos, boolean persistent)
      throws IOException, InterruptedException {
    String base = prefix + "/" + scenario;
    List<BenchClient> clients = new ArrayList<>();
    try {
      Subscriber sub = subscriber(clients, base + "-sub", base, qos, !persistent, null, 1);
      awaitSubscriptions(base, base, List.of(sub));
      Publisher pub = publisher(clients, 0, base + "-pub", base, qos, 0, o.messages,
          !persistent);
      closeLoop(sub, List.of(pub));
      return flowResult(scenario, qos, List.of(sub), List.of(pub));
    } finally {
      clients.forEach(BenchClient::close);
      if (persistent && !clients.isEmpty()) {
        BenchClient.connect(subscribers, base + "-sub", true, null, 256).close();
        BenchClient.connect(endpoint, base + "-pub", true, null, 256).close();
      }
    }
  }

  private Result flowResult(String scenario, QoS qos, List<Subscriber> subs,
      List<Publisher> pubs) throws InterruptedException {
    CpuMeter cpu = new CpuMeter(o.brokerPids);
    FlowRun.Measured m = FlowRun.run(o, qos.value(), subs, pubs, cpu, () -> { });
    Result r = base(scenario, qos, m, true);
    cpu.addTo(r);
    return r;
  }

  /** @param throughput whether the publishers run as fast as allowed (not at a fixed rate) */
  private Result base(String scenario, QoS qos, FlowRun.Measured m, boolean throughput) {
    Delivery d = m.delivery();
    Result r = new Result(scenario, o.broker, endpoint.transport())
        .put("qos", qos.value())
        .put("pub_at", at(endpoint))
        .put("sub_at", at(subscribers))
        .put("sub_visible_ms", visibleMillis)
        .put("msgs_per_s", m.perSecond(), 0)
        .put("sent", d.sent());
    d.addTo(r);
    String variant = variant(o, throughput);
    if (!variant.isEmpty()) {
      r.put("variant", variant);
    }
    if (m.failures() != null) {
      r.put("errors", m.failures());
    }
    return r;
  }

  /**
   * @return how the run departs from the standard closed-loop flow, as a result key: e.g.
   *     {@code open-loop,sub-pause-100us}; empty for the standard flow
   */
  static String variant(BenchOptions o, boolean throughput) {
    List<String> parts = new ArrayList<>();
    if (throughput && o.openLoop) {
      parts.add("open-loop");
    }
    if (o.subscriberReadPauseMicros > 0) {
      parts.add("sub-pause-" + o.subscriberReadPauseMicros + "us");
    }
    return String.join(",", parts);
  }

  /** @return {@code host:port} of a broker, for the results */
  static String at(Endpoint e) {
    return e.host() + ":" + e.port();
  }

  /** Waits until a probe on {@code topic} published on the publishers' broker reaches them. */
  private void awaitSubscriptions(String base, String topic, List<Subscriber> subs)
      throws IOException, InterruptedException {
    visibleMillis = SubscriptionProbe.await(endpoint, base + "-probe", topic, subs,
        o.subscriptionWaitMillis);
  }

  private Subscriber subscriber(List<BenchClient> clients, String id, String filter, QoS qos,
      boolean clean, Percentiles latencies, int publisherCount) throws IOException {
    BenchClient c = BenchClient.connect(subscribers, id, clean, null, BUFFER);
    clients.add(c);
    c.subscribe(filter, qos);
    Subscriber s = new Subscriber(latencies, publisherCount);
    c.startReader(s, o.subscriberReadPauseMicros * 1_000L);
    return s;
  }

  /** Throughput flows run closed-loop unless {@code --open-loop}: see {@link Publisher}. */
  private void closeLoop(Subscriber sub, List<Publisher> pubs) {
    if (!o.openLoop) {
      sub.reportTo(pubs);
    }
  }

  private Publisher publisher(List<BenchClient> clients, int index, String id, String topic,
      QoS qos, long rate, long maxMessages, boolean clean) throws IOException {
    BenchClient c = BenchClient.connect(endpoint, id, clean, null, BUFFER);
    clients.add(c);
    long deadline = System.nanoTime() + (o.warmupSeconds + o.durationSeconds) * 1_000_000_000L;
    boolean closedLoop = !o.openLoop && rate == 0;
    int window = qos == QoS.AT_MOST_ONCE ? o.window0 : o.window;
    return new Publisher(c, index, topic, qos, o.payload, window, closedLoop, rate,
        maxMessages, deadline);
  }
}
