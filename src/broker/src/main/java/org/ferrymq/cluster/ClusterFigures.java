package org.ferrymq.cluster;

import com.hazelcast.replicatedmap.ReplicatedMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.ferrymq.engine.BrokerStats;
import org.ferrymq.engine.SysExtension;

/**
 * The cluster totals of {@code $SYS/broker/cluster/}: at each {@code $SYS} publish, a node
 * writes its own figures under its node id into a Hazelcast replicated map (a full copy on every
 * member, so reading is local and writing does not wait for the network), then sums the entries
 * of the members in the cluster now. Each total is therefore as fresh as the members' last
 * {@code $SYS} publish. A member that leaves has its entry removed by the others.
 */
final class ClusterFigures implements SysExtension {
  private static final int CLIENTS = 0;
  private static final int CONNECTIONS = 1;
  private static final int RECEIVED = 2;
  private static final int SENT = 3;

  private final ReplicatedMap<String, long[]> map;
  private final String self;
  private final Supplier<Set<String>> members;

  /**
   * @param map the members' figures by node id
   * @param self this node's id
   * @param members the node ids of the members now, this one included
   */
  ClusterFigures(ReplicatedMap<String, long[]> map, String self, Supplier<Set<String>> members) {
    this.map = map;
    this.self = self;
    this.members = members;
  }

  @Override
  public Map<String, Object> figures(BrokerStats own) {
    map.put(self, new long[] {own.clientsConnected(), own.connectionsOpen(),
        own.messagesReceived(), own.messagesSent()});
    ClusterTotals t = totals();
    Map<String, Object> figures = new LinkedHashMap<>();
    figures.put("cluster/members", t.members());
    figures.put("cluster/members/reporting", t.reporting());
    figures.put("cluster/clients/connected", t.clientsConnected());
    figures.put("cluster/connections/open", t.connectionsOpen());
    figures.put("cluster/messages/received", t.messagesReceived());
    figures.put("cluster/messages/sent", t.messagesSent());
    return figures;
  }

  /** @return the figures of the members now, as each last reported them */
  ClusterTotals totals() {
    Set<String> now = members.get();
    long[] sum = new long[SENT + 1];
    int reporting = 0;
    for (String node : now) {
      long[] figures = map.get(node);
      if (figures != null && figures.length == sum.length) {
        reporting++;
        for (int i = 0; i < sum.length; i++) {
          sum[i] += figures[i];
        }
      }
    }
    return new ClusterTotals(now.size(), reporting, sum[CLIENTS], sum[CONNECTIONS],
        sum[RECEIVED], sum[SENT]);
  }

  /** @return the member's figures as it last reported them (all 0 before it reported) */
  NodeFigures of(String node, String address, boolean self) {
    long[] f = map.get(node);
    if (f == null || f.length != SENT + 1) {
      return new NodeFigures(node, address, self, false, 0, 0, 0, 0);
    }
    return new NodeFigures(node, address, self, true, f[CLIENTS], f[CONNECTIONS], f[RECEIVED],
        f[SENT]);
  }

  /** A member left: its figures go (any survivor may remove them). */
  void memberLeft(String node) {
    map.remove(node);
  }

  /** Drops the figures of nodes that left before this one joined. */
  void forgetAllBut(Set<String> members) {
    for (String node : List.copyOf(map.keySet())) {
      if (!members.contains(node)) {
        map.remove(node);
      }
    }
  }
}
