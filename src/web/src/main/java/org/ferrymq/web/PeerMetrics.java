package org.ferrymq.web;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.ferrymq.cluster.PeerTraffic;

/**
 * Keeps one series per peer of this node, tagged {@code peer} with the peer's cluster address
 * ({@code host:port}, as in {@code mqtt.cluster.members}), in step with the members this node
 * sees: a peer's series are registered when it appears and removed when it leaves, so members
 * that come and go leave no series behind. The address, not the node id: a node's id is new at
 * each start, and a tag from it would add series at every restart; a peer that restarts at its
 * address gets its series back (if it came back between two refreshes, they go on: its lower
 * counts are the counters' new base, {@link CounterBridge}).
 *
 * <p>{@link #refresh} runs on the metrics thread, once per sync of the counters; the values
 * are those of the latest refresh. Thread-safe.
 */
final class PeerMetrics {

  /** Registers and removes the series of one peer. */
  interface Series {
    void add(String peer);

    void remove(String peer);
  }

  private static final PeerTraffic NONE = new PeerTraffic("", "", 0, 0, 0);
  private final Supplier<List<PeerTraffic>> peers;
  private final Series series;
  /** Guarded by this. */
  private final Set<String> registered = new HashSet<>();
  private volatile Map<String, PeerTraffic> latest = Map.of();

  /**
   * @param peers this node's peers now (empty while no broker runs)
   * @param series how one peer's series are registered and removed
   */
  PeerMetrics(Supplier<List<PeerTraffic>> peers, Series series) {
    this.peers = peers;
    this.series = series;
  }

  /** Takes the peers' figures now, and registers and removes series to match them. */
  synchronized void refresh() {
    Map<String, PeerTraffic> now = new LinkedHashMap<>();
    for (PeerTraffic p : peers.get()) {
      now.put(p.address(), p);
    }
    latest = now;
    for (String gone : Set.copyOf(registered)) {
      if (!now.containsKey(gone)) {
        series.remove(gone);
        registered.remove(gone);
      }
    }
    for (String peer : now.keySet()) {
      if (registered.add(peer)) {
        series.add(peer);
      }
    }
  }

  /** @return the peer's figures as of the latest refresh; zeros for a peer not seen then */
  PeerTraffic of(String peer) {
    return latest.getOrDefault(peer, NONE);
  }

  /** @return the peers whose series are registered now */
  synchronized Set<String> registered() {
    return Set.copyOf(registered);
  }
}
