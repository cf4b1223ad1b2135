package org.ferrymq.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.ferrymq.engine.MqttBroker;
import org.ferrymq.engine.TestBrokers;
import org.ferrymq.persistence.Persistence;
import org.ferrymq.persistence.memory.TransientPersistence;
import org.ferrymq.transport.netty.BoundListener;
import org.ferrymq.transport.netty.ListenerSettings;
import org.ferrymq.transport.netty.MqttServer;

/**
 * One node of a test cluster: a broker with its embedded Hazelcast member on a free loopback
 * port, wired the way the resource adapter wires it, served over TCP by the Netty listener.
 */
final class ClusterBroker implements AutoCloseable {
  static final String HOST = "127.0.0.1";

  static {
    // Hazelcast waits 5 s by default before it joins, so that members started together find
    // one another; the tests start them one after the other, and a second is enough
    System.setProperty("hazelcast.wait.seconds.before.join", "1");
  }

  final ClusterNode node;
  final MqttBroker broker;
  private final ExecutorService io;
  private final MqttServer server;
  private final BoundListener listener;

  private ClusterBroker(ClusterNode node, MqttBroker broker) throws IOException {
    this.node = node;
    this.broker = broker;
    this.io = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "cluster-test-io");
      t.setDaemon(true);
      return t;
    });
    this.server = new MqttServer(broker, io, 1);
    this.listener = server.bind(ListenerSettings.tcp(HOST, 0));
  }

  /**
   * Starts a node that contacts the given member ports.
   *
   * @param extra alternating setting keys and values: the engine's, and {@code mqtt.cluster.*}
   */
  static ClusterBroker start(String name, String secret, int port, List<Integer> members,
      String... extra) throws IOException {
    return start(name, secret, port, members, new TransientPersistence(), extra);
  }

  /**
   * Starts a node on the given store; acknowledgements wait for the sessions' backup copies,
   * as in persistence mode {@code persistent}.
   */
  static ClusterBroker start(String name, String secret, int port, List<Integer> members,
      Persistence persistence, String... extra) throws IOException {
    return start(name, secret, port, members, Map.of(), persistence, extra);
  }

  /**
   * Starts a node with more cluster settings ({@code mqtt.cluster.*} keys and values) on the
   * given store.
   */
  static ClusterBroker start(String name, String secret, int port, List<Integer> members,
      Map<String, String> cluster, Persistence persistence, String... extra)
      throws IOException {
    ClusterNode node = ClusterNode.join(config(name, secret, port, members, cluster, extra));
    try {
      MqttBroker broker = node.configure(MqttBroker.builder().config(TestBrokers.config(extra)),
          persistence, true).build();
      node.attach(broker);
      broker.start();
      return new ClusterBroker(node, broker);
    } catch (RuntimeException | IOException e) {
      node.close();
      throw e;
    }
  }

  /**
   * Starts {@code size} nodes that know one another and waits until each sees all of them.
   *
   * @param extra alternating setting keys and values, for every node
   */
  static List<ClusterBroker> startCluster(String name, String secret, int size,
      String... extra) throws IOException {
    return startCluster(name, secret, size, Map.of(), extra);
  }

  /**
   * Like {@link #startCluster(String, String, int, String...)}, with more cluster settings
   * ({@code mqtt.cluster.*} keys and values) for every node.
   */
  static List<ClusterBroker> startCluster(String name, String secret, int size,
      Map<String, String> cluster, String... extra) throws IOException {
    List<Integer> ports = new java.util.ArrayList<>();
    for (int i = 0; i < size; i++) {
      ports.add(freePort());
    }
    List<ClusterBroker> nodes = new java.util.ArrayList<>();
    for (int port : ports) {
      nodes.add(start(name, secret, port, ports, cluster, new TransientPersistence(), extra));
    }
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20))
        .until(() -> nodes.stream().allMatch(n -> n.node.memberCount() == size));
    return nodes;
  }

  static ClusterConfig config(String name, String secret, int port, List<Integer> members) {
    return config(name, secret, port, members, Map.of());
  }

  /**
   * @param cluster more {@code mqtt.cluster.*} settings
   * @param extra alternating setting keys and values; those of {@code mqtt.cluster.*} apply
   */
  static ClusterConfig config(String name, String secret, int port, List<Integer> members,
      Map<String, String> cluster, String... extra) {
    Map<String, String> values = new HashMap<>(cluster);
    values.put("mqtt.cluster.enabled", "true");
    values.put("mqtt.cluster.name", name);
    values.put("mqtt.cluster.host", HOST);
    values.put("mqtt.cluster.port", Integer.toString(port));
    values.put("mqtt.cluster.members", String.join(",",
        members.stream().map(p -> HOST + ":" + p).toList()));
    values.put("mqtt.cluster.secret", secret);
    for (int i = 0; i + 1 < extra.length; i += 2) {
      if (extra[i].startsWith("mqtt.cluster.")) {
        values.put(extra[i], extra[i + 1]);
      }
    }
    return ClusterConfig.from(k -> Optional.ofNullable(values.get(k)));
  }

  /** @return a loopback port free now */
  static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getByName(HOST))) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  String uri() {
    return "tcp://" + HOST + ":" + listener.port();
  }

  String id() {
    return node.nodeId();
  }

  /** @return the node the cluster's session directory names for the client id, or null */
  String sessionHolder(String clientId) {
    return member().<String, String>getMap(ClusterNode.SESSIONS).get(clientId);
  }

  /** @return this node's Hazelcast member */
  com.hazelcast.core.HazelcastInstance member() {
    return com.hazelcast.core.Hazelcast.getAllHazelcastInstances().stream()
        .filter(h -> h.getName().endsWith("-" + node.port())).findFirst().orElseThrow();
  }

  /**
   * Stops the node the closest way to {@code kill -9} in one JVM: its clients' connections
   * drop, its member is terminated without handing its partitions over, then its broker stops.
   */
  void kill(String name) {
    // the clients lose their connections first, as when the process dies: none of them acts
    // on this node after its member is gone
    server.close();
    com.hazelcast.core.Hazelcast.getHazelcastInstanceByName("ferrymq-" + name + "-"
        + node.port()).getLifecycleService().terminate();
    close();
  }

  /**
   * Stops the node with its member terminated first, its clients' connections still open: what
   * the broker then does about them (their Wills, the removal of their copies) no longer
   * reaches the cluster, as when the process dies with them.
   */
  void killMemberFirst(String name) {
    com.hazelcast.core.Hazelcast.getHazelcastInstanceByName("ferrymq-" + name + "-"
        + node.port()).getLifecycleService().terminate();
    close();
  }

  @Override
  public void close() {
    server.close();
    broker.stop();
    node.close();
    io.shutdownNow();
  }
}
