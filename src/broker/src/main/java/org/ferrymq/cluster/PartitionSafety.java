package org.ferrymq.cluster;

import com.hazelcast.core.HazelcastInstance;

/**
 * Waits, after a member left, until the backups of the partitions it owned are promoted: a
 * query run before that misses their entries, so a survivor adopting what the member left
 * behind (sessions, Wills) would miss some.
 */
final class PartitionSafety {
  static final long MAX_WAIT_MILLIS = 30_000;

  private PartitionSafety() {
  }

  /** Waits on the calling thread (never a lane), at most {@link #MAX_WAIT_MILLIS}. */
  static void await(HazelcastInstance hazelcast) throws InterruptedException {
    long deadline = System.currentTimeMillis() + MAX_WAIT_MILLIS;
    while (!hazelcast.getPartitionService().isClusterSafe()
        && System.currentTimeMillis() < deadline) {
      Thread.sleep(100);
    }
  }
}
