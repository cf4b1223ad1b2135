package org.ferrymq.transport.netty;

import java.nio.ByteBuffer;
import java.util.ArrayList;

/**
 * Packets one connection was sent from threads other than its event loop, in the order sent,
 * until the loop takes them all at once. Thread-safe.
 */
final class PendingWrites {
  private static final ByteBuffer[] NONE = new ByteBuffer[0];
  private static final int LARGE_BATCH = 256;

  /** Reused from batch to batch; emptied of its capacity after an unusually large one. */
  private final ArrayList<ByteBuffer> parts = new ArrayList<>();

  /**
   * Adds a packet; the first one since the last {@link #takeAll()} also runs {@code schedule}
   * (which hands the loop the task that takes them) before any other thread can add one, so a
   * flush that thread asks for next is queued behind that task.
   */
  synchronized void add(ByteBuffer part, Runnable schedule) {
    parts.add(part);
    if (parts.size() == 1) {
      schedule.run();
    }
  }

  /** @return every packet added since the last call, oldest first */
  synchronized ByteBuffer[] takeAll() {
    if (parts.isEmpty()) {
      return NONE;
    }
    ByteBuffer[] all = parts.toArray(NONE);
    parts.clear();
    if (all.length > LARGE_BATCH) {
      parts.trimToSize();
    }
    return all;
  }
}
