package org.ferrymq.ra;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.ferrymq.cluster.ClusterStatus;
import org.ferrymq.cluster.ClusterView;
import org.ferrymq.engine.MqttBroker;

/**
 * The server's running broker and listeners, as published by {@link FerryResourceAdapter}.
 *
 * <p>The web module loads this class from the resource adapter through its class provider, so it
 * sees the same instance the adapter published: this is how the WebSocket endpoint and the TCP
 * listeners share one broker. Thread-safe: the state is replaced atomically.
 */
public final class BrokerRuntime {

  private static final AtomicReference<State> STATE = new AtomicReference<>(State.NOT_STARTED);

  private BrokerRuntime() {
  }

  /** @return the running broker and its listeners, empty before start, after stop or on failure */
  public static Optional<Running> current() {
    return Optional.ofNullable(STATE.get().running());
  }

  /** @return why the adapter failed to start, empty unless it did */
  public static Optional<String> failure() {
    return Optional.ofNullable(STATE.get().failure());
  }

  static void started(Running running) {
    STATE.set(new State(running, null));
  }

  static void failed(String reason) {
    STATE.set(new State(null, reason));
  }

  static void stopped() {
    STATE.set(State.NOT_STARTED);
  }

  /**
   * A started broker.
   *
   * @param broker the one broker of the server
   * @param listeners the MQTT TCP, TLS, ws and wss listeners
   * @param persistence the store's mode, backend and location
   * @param clusterView reads this node's view of its cluster; null with clustering off
   */
  public record Running(MqttBroker broker, List<ListenerControl> listeners,
      BrokerPersistence.Summary persistence, ClusterView clusterView) {
    public Running {
      listeners = List.copyOf(listeners);
      Objects.requireNonNull(persistence, "persistence");
    }

    /** A single node: clustering off. */
    public Running(MqttBroker broker, List<ListenerControl> listeners,
        BrokerPersistence.Summary persistence) {
      this(broker, listeners, persistence, null);
    }

    /** @return whether this server is a member of a cluster ({@code mqtt.cluster.enabled}) */
    public boolean clustered() {
      return clusterView != null;
    }

    /** @return this node's view of its cluster now, empty with clustering off */
    public Optional<ClusterStatus> cluster() {
      return clusterView == null ? Optional.empty() : Optional.of(clusterView.status());
    }

    /** @return this node's cluster, for the admin API's node view; empty with clustering off */
    public Optional<ClusterView> clusterNodes() {
      return Optional.ofNullable(clusterView);
    }
  }

  private record State(Running running, String failure) {
    static final State NOT_STARTED = new State(null, null);
  }
}
