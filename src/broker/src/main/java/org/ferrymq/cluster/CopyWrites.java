package org.ferrymq.cluster;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The backup-copy writes an acknowledgement must wait for ({@link SessionBackups}), collected
 * in groups as the store's group commit collects its writes. Every lane adds its writes to one
 * collection, and any lane's {@link #written()} may collect another lane's writes first; so
 * each wait is chained to the one before it, and a lane whose writes were collected a moment ago
 * by someone else still waits for them. Without the chain that lane's acknowledgement would
 * overtake its copies, and a node killed then would take them with it. Thread-safe.
 */
final class CopyWrites {
  private static final Logger LOG = Logger.getLogger(CopyWrites.class.getName());
  private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

  /** Issued since the last {@link #written()}; guarded by this. */
  private List<CompletableFuture<?>> issued = new ArrayList<>();
  /** Completes once every write collected so far did; guarded by this. */
  private CompletableFuture<Void> lastWait = DONE;

  /** A copy's write was issued: the next {@link #written()} waits for it. */
  synchronized void add(CompletableFuture<?> write) {
    issued.add(write);
  }

  /**
   * @return completes once every write added so far completed, with or without success (a
   *     failed copy is logged: the node's own store still has the change)
   */
  synchronized CompletableFuture<Void> written() {
    if (issued.isEmpty()) {
      return lastWait;
    }
    List<CompletableFuture<?>> writes = issued;
    issued = new ArrayList<>();
    writes.add(lastWait);
    lastWait = CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new))
        .handle((done, failure) -> {
          if (failure != null) {
            LOG.log(Level.WARNING, "A session's backup copy could not be written to the "
                + "cluster; the node's own store has it", failure);
          }
          return null;
        });
    return lastWait;
  }
}
