package org.ferrymq.cluster;

import static org.awaitility.Awaitility.await;

import com.hazelcast.cluster.Address;
import com.hazelcast.cluster.Member;
import com.hazelcast.instance.impl.HazelcastInstanceProxy;
import com.hazelcast.internal.cluster.impl.ClusterServiceImpl;
import java.time.Duration;
import java.util.List;

/**
 * A network split between the members of a test cluster in one JVM. Hazelcast's open-source jar
 * cannot cut the loopback between members, so each member is made to suspect the members of the
 * other side, as its failure detector does when the network between them fails: each side then
 * goes on as a cluster of its own. {@link #heal} merges the smaller side back the way
 * Hazelcast's split-brain handler does once it finds the other side again. Both use Hazelcast's
 * internal cluster service (tests only).
 */
final class NetworkSplit {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final Duration MERGE_RETRY = Duration.ofSeconds(15);

  private NetworkSplit() {
  }

  /**
   * Splits the cluster; the majority must hold the oldest member (the master), which drops the
   * minority's members at once. The minority's members suspect the master last, and then claim
   * the mastership of their side.
   */
  static void split(List<ClusterBroker> majority, List<ClusterBroker> minority) {
    for (ClusterBroker at : majority) {
      for (ClusterBroker of : minority) {
        suspect(at, of);
      }
    }
    for (ClusterBroker at : minority) {
      for (int i = majority.size() - 1; i >= 0; i--) {
        suspect(at, majority.get(i));
      }
    }
    await().atMost(WAIT).until(() -> majority.stream()
        .allMatch(n -> n.node.memberCount() == majority.size())
        && minority.stream().allMatch(n -> n.node.memberCount() == minority.size()));
  }

  /**
   * Merges the minority's side, of which {@code minority} is a member, into the majority's, and
   * waits until the majority counts {@code members}. Hazelcast's handler tries a merge again
   * after one that did not complete (its join request can time out on a loaded machine); so
   * does this, while the minority is still on its own side.
   */
  static void heal(ClusterBroker minority, ClusterBroker majority, int members) {
    Address target = majority.member().getCluster().getLocalMember().getAddress();
    int alone = minority.node.memberCount();
    long[] lastTry = {System.nanoTime()};
    clusterService(minority).merge(target);
    await().atMost(WAIT.multipliedBy(3)).pollInterval(Duration.ofMillis(200)).until(() -> {
      if (majority.node.memberCount() == members) {
        return true;
      }
      if (System.nanoTime() - lastTry[0] > MERGE_RETRY.toNanos()
          && minority.member().getLifecycleService().isRunning()
          && minority.node.memberCount() == alone) {
        lastTry[0] = System.nanoTime();
        clusterService(minority).merge(target);
      }
      return false;
    });
  }

  private static void suspect(ClusterBroker at, ClusterBroker of) {
    Member member = ClusterNode.member(at.member(), of.id());
    if (member != null) {
      clusterService(at).suspectMember(member, "a network split, simulated by a test", true);
    }
  }

  private static ClusterServiceImpl clusterService(ClusterBroker node) {
    return ((HazelcastInstanceProxy) node.member()).getOriginal().node.getClusterService();
  }
}
