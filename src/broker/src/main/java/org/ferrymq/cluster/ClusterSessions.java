package org.ferrymq.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.ExecutionCallback;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.IExecutorService;
import com.hazelcast.map.IMap;
import com.hazelcast.query.Predicates;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.ferrymq.engine.ClusterPort;
import org.ferrymq.engine.ExportedSession;
import org.ferrymq.engine.LocalSessionRegistry;
import org.ferrymq.engine.SessionClaim;
import org.ferrymq.engine.SessionHandle;
import org.ferrymq.engine.SessionHandover;
import org.ferrymq.engine.SessionRegistry;
import org.ferrymq.persistence.common.RecordFormatException;

/**
 * Sessions cluster-wide: the directory of which node holds each client's session (a Hazelcast
 * map, client id to node id, with the configured backups), kept as sessions begin and end on
 * this node ({@link #registry()}), and the handover a CONNECT asks for when the directory
 * names another live node ({@link #claim}). An entry naming a node that is no member any more
 * is orphaned: the session is then restored from its backup copy ({@link SessionBackups}), if
 * it was persistent. See docs/cluster.md, "Sessions".
 *
 * <p>A node whose side of the cluster lacks quorum ({@link SplitBrainGuard}) asks the cluster
 * for no session: such a CONNECT is refused at once (Server unavailable), since the session may
 * be held, or adopted, on the other side of a split; and it adopts no member's sessions.
 *
 * <p>No lane waits for the network: the directory is read and written asynchronously and the
 * answer completes a stage. Thread-safe.
 */
final class ClusterSessions implements SessionHandover {
  private static final Logger LOG = Logger.getLogger(ClusterSessions.class.getName());

  private final HazelcastInstance hazelcast;
  private final IExecutorService executor;
  private final IMap<String, String> directory;
  private final String self;
  private final int timeoutSeconds;
  private final SessionBackups backups;
  private final Adoptions adoptions;
  private final SplitBrainGuard splitBrain;
  /** Reads the directory's answers and backup copies, off the lanes and Hazelcast's threads. */
  private final ExecutorService worker = Executors.newFixedThreadPool(2, r -> {
    Thread t = new Thread(r, "ferrymq-session-claims");
    t.setDaemon(true);
    return t;
  });
  /** Per client id, this node's claim under way ({@link #underway}). */
  private final Map<String, CompletableFuture<Void>> claiming = new ConcurrentHashMap<>();
  private final java.util.concurrent.atomic.LongAdder handedOver =
      new java.util.concurrent.atomic.LongAdder();
  private final java.util.concurrent.atomic.LongAdder restored =
      new java.util.concurrent.atomic.LongAdder();
  private volatile ClusterPort port;

  ClusterSessions(HazelcastInstance hazelcast, IExecutorService executor,
      IMap<String, String> directory, String self, int timeoutSeconds,
      SessionBackups backups, Adoptions adoptions, SplitBrainGuard splitBrain) {
    this.hazelcast = hazelcast;
    this.executor = executor;
    this.directory = directory;
    this.self = self;
    this.timeoutSeconds = timeoutSeconds;
    this.backups = backups;
    this.adoptions = adoptions;
    this.splitBrain = splitBrain;
  }

  /** @return sessions this node handed over to another node's CONNECT so far */
  long handedOver() {
    return handedOver.sum();
  }

  /** @return sessions of members that left that this node restored from their copies so far */
  long restored() {
    return restored.sum();
  }

  /** Stops the threads that read claims' answers; after the broker stopped. */
  void close() {
    worker.shutdownNow();
  }

  void attach(ClusterPort value) {
    this.port = value;
  }

  /** @return the broker's session registry, which keeps this node's entries in the directory */
  SessionRegistry registry() {
    return new Registry(new LocalSessionRegistry());
  }

  /**
   * Names this node in the directory and asks the node named before, in one atomic step
   * ({@link SwapHolder}): of two CONNECTs with one client id on two nodes at once, the later
   * one asks the earlier one, which hands over the session it creates as soon as it has it
   * ({@link #release}). One session remains, and the other connection is taken over. A claim
   * refused or failed gives the entry back to the node named before.
   */
  @Override
  public CompletionStage<SessionClaim> claim(String clientId, String username,
      boolean cleanStart) {
    if (!splitBrain.quorate()) {
      // new here, held on this side, or on the other side of a split: this side cannot tell
      return CompletableFuture.completedFuture(SessionClaim.unavailable(splitBrain.noQuorum()));
    }
    CompletableFuture<SessionClaim> answer = new CompletableFuture<>();
    HandoverTask task = new HandoverTask(clientId, username, cleanStart, self);
    CompletableFuture<Void> underway = underway(clientId);
    directory.submitToKey(clientId, new SwapHolder(self, null))
        .whenCompleteAsync((before, failure) -> {
          if (failure != null) {
            underway.complete(null);
            answer.complete(SessionClaim.unavailable("the session directory could not be "
                + "written: " + failure));
            return;
          }
          answer.thenAccept(claim -> {
            if (claim.outcome() == SessionClaim.Outcome.REFUSED
                || claim.outcome() == SessionClaim.Outcome.UNAVAILABLE) {
              underway.complete(null);
              quietly(() -> directory.submitToKey(clientId, new SwapHolder(before, self)),
                  "give back", clientId);
            }
          });
          if (self.equals(before)) {
            // ended here a moment ago, or another CONNECT here claims it too
            answer.complete(SessionClaim.notHeld());
            return;
          }
          Member holder = before == null ? null : ClusterNode.member(hazelcast, before);
          if (holder != null) {
            ask(holder, task, answer);
          } else {
            fromCopy(task, answer);
          }
        }, worker);
    return answer.completeOnTimeout(SessionClaim.unavailable("no answer within "
        + timeoutSeconds + " s (" + ClusterConfig.Key.HANDOVER_TIMEOUT.key() + ")"),
        timeoutSeconds, TimeUnit.SECONDS);
  }

  /**
   * @return the mark of this node's claim for the client, done once its session is here (or
   *     the claim failed, or at the handover timeout); a release asked meanwhile waits for it
   */
  private CompletableFuture<Void> underway(String clientId) {
    CompletableFuture<Void> mark = new CompletableFuture<>();
    claiming.put(clientId, mark);
    mark.completeOnTimeout(null, timeoutSeconds, TimeUnit.SECONDS)
        .whenComplete((done, failure) -> claiming.remove(clientId, mark));
    return mark;
  }

  /**
   * No live node in the directory: the session's backup copy names the node that wrote it
   * last. A live one is asked; the copy of a node that left is restored here (failover).
   */
  private void fromCopy(HandoverTask task, CompletableFuture<SessionClaim> answer) {
    try {
      String writer = backups.holderOf(task.clientId());
      if (writer == null || writer.equals(self)) {
        answer.complete(SessionClaim.notHeld());
        return;
      }
      Member holder = ClusterNode.member(hazelcast, writer);
      if (holder != null) {
        ask(holder, task, answer);
        return;
      }
      if (!splitBrain.quorate()) {
        answer.complete(SessionClaim.unavailable(splitBrain.noQuorum()));
        return;
      }
      if (adoptions.awaitsAdopter(writer)) {
        // the adopter holds what it was sent for this session until it took it over
        answer.complete(SessionClaim.unavailable("its node left, and the node taking its "
            + "sessions over is not done yet"));
        return;
      }
      ExportedSession restored = backups.take(task.clientId(), writer, task.cleanStart());
      if (restored == null) {
        tookMeanwhile(task, answer);
      } else if (!answer.complete(SessionClaim.handedOver(restored))) {
        this.restored.increment();
        port.adopt(restored);
      } else {
        this.restored.increment();
        LOG.info(() -> "Session " + task.clientId() + " of cluster member " + writer
            + ", which left, restored here from its backup copy with "
            + restored.deliveries().size() + " deliveries");
      }
    } catch (RecordFormatException | RuntimeException e) {
      LOG.log(Level.WARNING, "The backup copy of session " + task.clientId()
          + " could not be read", e);
      answer.complete(SessionClaim.unavailable("its backup copy could not be read: " + e));
    }
  }

  /**
   * Another node took the copy first (or it was removed for a clean start): the node that took
   * it is asked. This node itself, when it is the survivor adopting the session: the adoption
   * is queued on the session's lane ahead of this CONNECT's answer, which then resumes it.
   */
  private void tookMeanwhile(HandoverTask task, CompletableFuture<SessionClaim> answer) {
    String taker = task.cleanStart() ? null : backups.holderOf(task.clientId());
    Member holder = taker == null || taker.equals(self) ? null
        : ClusterNode.member(hazelcast, taker);
    if (holder != null) {
      ask(holder, task, answer);
    } else {
      answer.complete(taker == null || taker.equals(self) ? SessionClaim.notHeld()
          : SessionClaim.unavailable("the node that restored the session left too"));
    }
  }

  private void ask(Member holder, HandoverTask task, CompletableFuture<SessionClaim> answer) {
    executor.submitToMember(task, holder, new ExecutionCallback<byte[]>() {
      @Override
      public void onResponse(byte[] encoded) {
        SessionClaim claim;
        try {
          claim = ClaimCodec.decode(encoded);
        } catch (RecordFormatException e) {
          LOG.severe(() -> "The session handed over by cluster member " + holder.getAddress()
              + " is damaged and is lost: " + e.getMessage());
          answer.complete(SessionClaim.unavailable("the session handed over is damaged"));
          return;
        }
        if (!answer.complete(claim) && claim.outcome() == SessionClaim.Outcome.HANDED_OVER) {
          // the CONNECT gave up waiting; the session left its node and must not be lost
          port.adopt(claim.session());
        }
      }

      @Override
      public void onFailure(Throwable t) {
        answer.complete(SessionClaim.unavailable("cluster member " + holder.getAddress()
            + " failed: " + t));
      }
    });
  }

  /**
   * Runs on the holder ({@link HandoverTask}): releases the session on its lane and answers.
   * A release that outlasts the timeout is kept here: the claimant gave up by then. For the
   * handover's grace period, what is routed to the session here follows it to the claimant.
   *
   * @param claimant the node id of the claimant
   * @throws NodeStoppingException when this node's broker does not run
   */
  byte[] release(String clientId, String username, boolean cleanStart, String claimant)
      throws InterruptedException, ExecutionException {
    ClusterPort target = port;
    if (target == null) {
      throw new NodeStoppingException();
    }
    // a session adopted here moves on with what this node held for it meanwhile
    adoptions.awaitQuiet(TimeUnit.SECONDS.toMillis(timeoutSeconds));
    // a claim of this node still under way is answered first: its session is what to hand over
    CompletableFuture<Void> underway = claiming.get(clientId);
    CompletableFuture<SessionClaim> released = underway == null
        ? target.handOver(clientId, username, cleanStart, claimant)
        : underway.thenCompose(done -> target.handOver(clientId, username, cleanStart,
            claimant));
    try {
      SessionClaim answer = released.get(timeoutSeconds, TimeUnit.SECONDS);
      if (answer.outcome() == SessionClaim.Outcome.HANDED_OVER) {
        handedOver.increment();
      }
      return ClaimCodec.encode(answer);
    } catch (TimeoutException e) {
      released.thenAccept(late -> {
        if (late.outcome() == SessionClaim.Outcome.HANDED_OVER) {
          target.adopt(late.session());
        }
      });
      return ClaimCodec.encode(SessionClaim.unavailable("the session's lane did not answer "
          + "within " + timeoutSeconds + " s"));
    }
  }

  /** A member left: the sessions it held are orphans ({@link #removeEntriesOf}). */
  void memberLeft(String node) {
    try {
      worker.execute(() -> removeEntriesOf(node));
    } catch (RejectedExecutionException stopping) {
      // this node is leaving too
    }
  }

  /**
   * The oldest member (the adopter, {@link Adoptions}) removes the directory entries of a member
   * that left and adopts its persistent sessions from their copies, so that what is published
   * for them from now on is queued for them here until their clients come back (to this node
   * or, by handover, another). Once they are in place, what this node held for them meanwhile
   * is routed, and the members are told; also when the adoption failed.
   */
  private void removeEntriesOf(String node) {
    ClusterPort target = port;
    if (!adoptions.adoptsHere(node)) {
      return;
    }
    boolean quorate = true;
    try {
      if (target == null) {
        return; // no broker here (yet): nothing to adopt into, nothing held for it
      }
      PartitionSafety.await(hazelcast);
      // more members may have left meanwhile (a split seen one member at a time)
      quorate = splitBrain.quorate();
      if (!quorate) {
        LOG.warning(() -> "Cluster member " + node + " left; this node does not adopt its "
            + "sessions: " + splitBrain.noQuorum());
        return;
      }
      for (String clientId : directory.keySet(Predicates.equal("this", node))) {
        directory.submitToKey(clientId, new HeldBy<>(node));
      }
      List<CompletableFuture<Void>> adopted = new ArrayList<>();
      for (String clientId : backups.writtenBy(node)) {
        ExportedSession orphan = backups.take(clientId, node, false);
        if (orphan != null) {
          adopted.add(target.adopt(orphan));
        }
      }
      // in place, subscriptions included, before what was held for them is routed
      CompletableFuture.allOf(adopted.toArray(CompletableFuture[]::new))
          .get(PartitionSafety.MAX_WAIT_MILLIS, TimeUnit.MILLISECONDS);
      int n = adopted.size();
      restored.add(n);
      LOG.info(() -> "Cluster member " + node + " left; this node adopted " + n
          + " of its persistent sessions from their backup copies");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RecordFormatException | ExecutionException | TimeoutException
        | RuntimeException e) {
      LOG.log(Level.WARNING, "The sessions of cluster member " + node
          + ", which left, were not all taken over", e);
    } finally {
      if (quorate) {
        adoptions.adopted(node);
      } else {
        adoptions.abandoned(node);
      }
    }
  }


  /** The sessions of this node by client id, each one's entry kept in the directory. */
  private final class Registry implements SessionRegistry {
    private final SessionRegistry local;

    Registry(SessionRegistry local) {
      this.local = local;
    }

    @Override
    public SessionHandle get(String clientId) {
      return local.get(clientId);
    }

    @Override
    public void put(SessionHandle session) {
      local.put(session);
      if (isClients(session)) {
        if (!splitBrain.mergingBack()) {
          quietly(() -> directory.setAsync(session.clientId(), self), "record",
              session.clientId());
        }
        CompletableFuture<Void> underway = claiming.get(session.clientId());
        if (underway != null) {
          underway.complete(null);
        }
      }
    }

    @Override
    public boolean remove(SessionHandle session) {
      boolean removed = local.remove(session);
      if (removed && isClients(session) && !splitBrain.mergingBack()) {
        quietly(() -> directory.submitToKey(session.clientId(), new HeldBy<>(self)), "remove",
            session.clientId());
      }
      return removed;
    }

    @Override
    public int size() {
      return local.size();
    }

    @Override
    public Collection<SessionHandle> all() {
      return local.all();
    }
  }

  /** An application's durable session (U+0000 first) stays on its node. */
  private static boolean isClients(SessionHandle session) {
    return !session.clientId().isEmpty() && session.clientId().charAt(0) != '\u0000';
  }

  /** Writes the directory without letting a member that no longer runs fail the session. */
  private static void quietly(Supplier<CompletionStage<?>> write, String what,
      String clientId) {
    try {
      write.get().whenComplete((done, failure) -> {
        if (failure != null) {
          logFailure(what, clientId, failure);
        }
      });
    } catch (RuntimeException e) {
      logFailure(what, clientId, e);
    }
  }

  private static void logFailure(String what, String clientId, Throwable failure) {
    LOG.log(Level.FINE, () -> "Could not " + what + " the directory entry of session "
        + clientId + ": " + failure);
  }

}
