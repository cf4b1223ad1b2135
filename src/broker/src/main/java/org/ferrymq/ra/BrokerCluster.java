package org.ferrymq.ra;

import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;
import org.ferrymq.cluster.ClusterConfig;
import org.ferrymq.cluster.ClusterNode;
import org.ferrymq.cluster.ClusterView;
import org.ferrymq.config.ConfigException;
import org.ferrymq.engine.MqttBroker;
import org.ferrymq.persistence.Persistence;

/**
 * The broker's cluster membership as the adapter starts it: the {@code mqtt.cluster.*} settings
 * from MicroProfile Config and, when {@code mqtt.cluster.enabled} is true, this server's
 * embedded member (docs/cluster.md). With clustering off, the default, it adds nothing to the
 * broker and no Hazelcast class is loaded: {@link ClusterNode} is touched only on the enabled
 * path.
 */
final class BrokerCluster implements AutoCloseable {
  private final ClusterConfig config;
  /** The started member; null with clustering off or before it joined. */
  private AutoCloseable member;

  BrokerCluster(ClusterConfig config) {
    this.config = config;
  }

  /** @throws ConfigException naming the first invalid {@code mqtt.cluster.*} key */
  static BrokerCluster load(ClassLoader loader) {
    Config mp = ConfigProvider.getConfig(loader);
    return new BrokerCluster(ClusterConfig.from(key -> mp.getOptionalValue(key, String.class)));
  }

  /**
   * Joins the cluster, when enabled, and gives the broker its cluster-wide parts.
   *
   * @param persistence the node's own persistence backend
   * @param awaitCopies whether acknowledgements wait for the sessions' backup copies in the
   *     cluster (persistence mode {@code persistent})
   * @throws IllegalStateException when the member cannot start or join
   */
  MqttBroker.Builder configure(MqttBroker.Builder builder, Persistence persistence,
      boolean awaitCopies) {
    if (!config.enabled()) {
      return builder.persistence(persistence);
    }
    ClusterNode node = ClusterNode.join(config);
    member = node;
    return node.configure(builder, persistence, awaitCopies);
  }

  /** Connects the built broker to its peers; call before it starts. */
  void attach(MqttBroker broker) {
    if (member != null) {
      ((ClusterNode) member).attach(broker);
    }
  }

  /**
   * @return the member's view of its cluster, for health, metrics and the admin API; null with
   *     clustering off or before it joined
   */
  ClusterView view() {
    return (ClusterView) member;
  }

  /** @return how the broker runs, for the start-up log line */
  String describe() {
    return config.enabled() ? "cluster '" + config.name() + "' on port " + config.port()
        : "single node";
  }

  /** Leaves the cluster, after the broker stopped. */
  @Override
  public void close() {
    if (member != null) {
      try {
        member.close();
      } catch (Exception e) {
        throw new IllegalStateException("Leaving the cluster failed", e);
      }
      member = null;
    }
  }
}
