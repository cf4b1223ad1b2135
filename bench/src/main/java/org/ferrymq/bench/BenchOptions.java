package org.ferrymq.bench;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Command-line options of the load generator; see {@link #USAGE}. */
final class BenchOptions {
  static final String USAGE = """
      usage: java -jar ferrymq-bench.jar [options]
        --host H              broker host (default 127.0.0.1)
        --port P              broker port for the transport (default 1883); publishers
                              (and the subscribers unless --sub-host/--sub-port) use it
        --sub-host H          subscribers' broker, e.g. another node of a cluster (default
                              --host)
        --sub-port P          subscribers' broker port (default --port)
        --subscription-wait-ms N
                              longest wait until a probe published on the publishers'
                              broker reaches every subscriber, before each flow (default
                              30000; a cluster's filter directory is eventually consistent)
        --transport T         tcp | tls | ws | wss (default tcp)
        --path P              WebSocket path (default /mqtt)
        --broker NAME         label for the results (default broker)
        --broker-pid PID[,PID...]
                              broker processes (summed, e.g. both nodes of a cluster): CPU
                              use and resident memory per connection
        --scenarios LIST      fanin,fanout,latency,connections,qos2,persistent,routing
                              (default fanin,fanout,latency,qos2,persistent)
        --qos LIST            QoS levels for fanin (default 0,1)
        --fanout-qos LIST     QoS levels for fanout (default 0)
        --duration S          measured seconds per scenario (default 10)
        --warmup S            unmeasured seconds before each measurement (default 2)
        --messages N          at most N messages per scenario (default 100000000)
        --publishers N        fan-in publishers (default 10)
        --subscribers N       fan-out subscribers (default 10)
        --payload BYTES       payload size (default 64)
        --window N            QoS 1/2 messages per publisher not yet acknowledged, and not
                              yet received by the subscriber (default 100, at most 65535)
        --window0 N           QoS 0 messages per publisher not yet received (default 1000)
        --open-loop true      publishers do not wait for the subscriber (floods at QoS 0; at
                              QoS 1/2 only the broker's acknowledgements pace them)
        --subscriber-read-pause-us N
                              subscribers sleep N us before each socket read, taking what
                              arrived meanwhile in one batch: slower than the publishers
                              (default 0: read at once)
        --drain-quiet-ms N    after the publishers stop, keep reading until every
                              acknowledged message arrived or nothing arrived for N ms
                              (default 2000; at most 15 s in all); what is then missing
                              is lost, and lost QoS 1/2 messages mark the run FAILED
        --rate N              latency scenario messages per second (default 2000)
        --connections K       idle clients for the connections scenario (default 10000)
        --connect-threads N   threads opening them (default 8)
        --per-address N       connections per loopback source address (default 20000)
        --hold S              keep the idle clients connected S more seconds (default 0)
        --routing-subs LIST   subscription counts for routing (default 1,10000,1000000)
      Exit status 1 when a scenario failed: an error, or a QoS 1/2 run that lost acknowledged
      messages or received a QoS 2 message twice (status=FAILED).
      """;

  String host = "127.0.0.1";
  int port = 1883;
  /** The subscribers' broker; null for {@link #host}. */
  String subHost;
  /** The subscribers' broker port; 0 for {@link #port}. */
  int subPort;
  long subscriptionWaitMillis = 30_000;
  String transport = "tcp";
  String path = "/mqtt";
  String broker = "broker";
  List<Long> brokerPids = List.of();
  List<String> scenarios = List.of("fanin", "fanout", "latency", "qos2", "persistent");
  List<Integer> qos = List.of(0, 1);
  List<Integer> fanoutQos = List.of(0);
  int durationSeconds = 10;
  int warmupSeconds = 2;
  long messages = 100_000_000L;
  int publishers = 10;
  int subscribers = 10;
  int payload = 64;
  int window = 100;
  int window0 = 1000;
  boolean openLoop;
  int subscriberReadPauseMicros;
  long drainQuietMillis = 2_000;
  int rate = 2000;
  int connections = 10_000;
  int connectThreads = 8;
  int perAddress = 20_000;
  int holdSeconds;
  List<Integer> routingSubscriptions = List.of(1, 10_000, 1_000_000);

  /**
   * Parses {@code --name value} pairs.
   *
   * @throws IllegalArgumentException for an unknown option, a missing or malformed value
   */
  static BenchOptions parse(String[] args) {
    Map<String, String> m = new HashMap<>();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (!a.startsWith("--") || i + 1 >= args.length) {
        throw new IllegalArgumentException("expected --option value at: " + a);
      }
      m.put(a.substring(2), args[++i]);
    }
    BenchOptions o = new BenchOptions();
    for (Map.Entry<String, String> e : m.entrySet()) {
      String v = e.getValue();
      switch (e.getKey()) {
        case "host" -> o.host = v;
        case "port" -> o.port = positive(e.getKey(), v);
        case "sub-host" -> o.subHost = v;
        case "sub-port" -> o.subPort = positive(e.getKey(), v);
        case "subscription-wait-ms" -> o.subscriptionWaitMillis = positive(e.getKey(), v);
        case "transport" -> o.transport = v;
        case "path" -> o.path = v;
        case "broker" -> o.broker = v;
        case "broker-pid" -> o.brokerPids = pids(e.getKey(), v);
        case "scenarios" -> o.scenarios = List.of(v.split(","));
        case "qos" -> o.qos = ints(e.getKey(), v);
        case "fanout-qos" -> o.fanoutQos = ints(e.getKey(), v);
        case "duration" -> o.durationSeconds = positive(e.getKey(), v);
        case "warmup" -> o.warmupSeconds = nonNegative(e.getKey(), v);
        case "messages" -> o.messages = positive(e.getKey(), v);
        case "publishers" -> o.publishers = positive(e.getKey(), v);
        case "subscribers" -> o.subscribers = positive(e.getKey(), v);
        case "payload" -> o.payload = positive(e.getKey(), v);
        case "window" -> o.window = positive(e.getKey(), v);
        case "window0" -> o.window0 = positive(e.getKey(), v);
        case "open-loop" -> o.openLoop = Boolean.parseBoolean(v);
        case "subscriber-read-pause-us" -> o.subscriberReadPauseMicros = nonNegative(e.getKey(), v);
        case "drain-quiet-ms" -> o.drainQuietMillis = positive(e.getKey(), v);
        case "rate" -> o.rate = positive(e.getKey(), v);
        case "connections" -> o.connections = positive(e.getKey(), v);
        case "connect-threads" -> o.connectThreads = positive(e.getKey(), v);
        case "per-address" -> o.perAddress = positive(e.getKey(), v);
        case "hold" -> o.holdSeconds = nonNegative(e.getKey(), v);
        case "routing-subs" -> o.routingSubscriptions = ints(e.getKey(), v);
        default -> throw new IllegalArgumentException("unknown option --" + e.getKey());
      }
    }
    for (int q : o.qos) {
      if (q > 2) {
        throw new IllegalArgumentException("--qos values are 0, 1 or 2: " + q);
      }
    }
    for (int q : o.fanoutQos) {
      if (q > 2) {
        throw new IllegalArgumentException("--fanout-qos values are 0, 1 or 2: " + q);
      }
    }
    if (o.window > Publisher.MAX_WINDOW) {
      throw new IllegalArgumentException("--window must be at most " + Publisher.MAX_WINDOW);
    }
    if (o.payload < Payload.HEADER) {
      throw new IllegalArgumentException("--payload must be at least " + Payload.HEADER);
    }
    return o;
  }

  /** @return where the publishers connect (and every client of the other scenarios) */
  Endpoint endpoint() {
    return new Endpoint(host, port, transport, path);
  }

  /** @return where the subscribers of the message flows connect */
  Endpoint subscriberEndpoint() {
    return new Endpoint(subHost == null ? host : subHost, subPort == 0 ? port : subPort,
        transport, path);
  }

  private static int positive(String name, String v) {
    int n = nonNegative(name, v);
    if (n == 0) {
      throw new IllegalArgumentException("--" + name + " must be positive");
    }
    return n;
  }

  private static int nonNegative(String name, String v) {
    try {
      int n = Integer.parseInt(v.trim());
      if (n < 0) {
        throw new IllegalArgumentException("--" + name + " must not be negative: " + v);
      }
      return n;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--" + name + " needs a number: " + v, e);
    }
  }

  private static List<Long> pids(String name, String v) {
    List<Long> list = new ArrayList<>();
    for (String s : v.split(",")) {
      list.add((long) positive(name, s));
    }
    return List.copyOf(list);
  }

  private static List<Integer> ints(String name, String v) {
    List<Integer> list = new ArrayList<>();
    for (String s : v.split(",")) {
      list.add(nonNegative(name, s));
    }
    return List.copyOf(list);
  }
}
