package org.ferrymq.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.IExecutorService;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Who takes over the sessions of a member that left, and whether it is done. The adopter is
 * the oldest member then (Hazelcast's member list order, the same on every member), so every
 * node knows it without asking. Meanwhile each node points the filters of the member that left
 * at the adopter ({@link ClusterSubscriptionIndex#peerDeparted}) and sends it again what was
 * on its way to that member ({@link PeerForwarder}); the adopter holds what it is sent
 * ({@link Inbox}) until its adoption is done, routes it, then tells every member
 * ({@link AdoptionDone}), which ends the borrowed filters and lets a CONNECT elsewhere ask the
 * adopter for such a session. See docs/cluster.md, "Failover".
 *
 * <p>Only a side with quorum adopts ({@link SplitBrainGuard}): a member that leaves a side
 * without it may be alive on the other side of a split, where the majority adopts this side's
 * sessions instead. It stays <em>unadopted</em> here: each node keeps its filters under its key
 * and fails what it forwards there, so the publishers are told, until this side has its quorum
 * again and adopts then, or merges back and restarts. See docs/cluster.md, "Split brain".
 * Thread-safe.
 */
final class Adoptions {
  /** How long a peer's word that this node adopts a member waits for the member to leave here. */
  static final long EXPECTED_MILLIS = 30_000;
  static final String EXECUTOR = "ferrymq.adoptions";
  private static final Logger LOG = Logger.getLogger(Adoptions.class.getName());

  private enum State {
    /** A peer says this node adopts the member, which has not left in this node's view yet. */
    EXPECTED,
    /** This node adopts the member's sessions now. */
    RUNNING,
    /** Adopted here; the members are told once what was held for it is routed. */
    DONE
  }

  private final HazelcastInstance hazelcast;
  private final String self;
  private final BooleanSupplier quorate;
  /** Members that left while this side lacked quorum: nobody here adopts their sessions. */
  private final Set<String> unadopted = ConcurrentHashMap.newKeySet();
  /** Members that left, each with the node that adopts its sessions. */
  private final Map<String, String> adopters = new ConcurrentHashMap<>();
  /** Members whose adopter told that it is done. */
  private final Set<String> noticed = ConcurrentHashMap.newKeySet();
  /** Guarded by this: the adoptions of this node. */
  private final Map<String, State> here = new HashMap<>();
  /** Completes once no adoption runs here and what was held is routed; guarded by this. */
  private CompletableFuture<Void> quiet = CompletableFuture.completedFuture(null);
  /** The sessions this node took from each member that left. */
  private final Map<String, Set<String>> taken = new ConcurrentHashMap<>();
  private volatile Supplier<CompletableFuture<Void>> release;
  private volatile Supplier<Set<String>> announced;
  private volatile Noticed listener;

  /** What a node does when an adopter is done: forget the borrowed filters, stop waiting. */
  interface Noticed {
    void adoptionDone(String adopter, String departed, Set<String> adopterFilters);
  }

  /** @param quorate whether this node's side may change cluster-wide state now */
  Adoptions(HazelcastInstance hazelcast, String self, BooleanSupplier quorate) {
    this.hazelcast = hazelcast;
    this.self = self;
    this.quorate = quorate;
  }

  /**
   * @param routeHeld routes what the inbox held while adoptions ran; completes once taken
   * @param filters the filters this node announces now
   * @param onNotice what to do when an adopter is done
   */
  void attach(Supplier<CompletableFuture<Void>> routeHeld, Supplier<Set<String>> filters,
      Noticed onNotice) {
    this.release = routeHeld;
    this.announced = filters;
    this.listener = onNotice;
  }

  /**
   * A member left: records which node adopts its sessions, and when it is this one, starts
   * holding what peers send here. On a side without quorum nobody adopts them ({@link
   * #unadopted}): this node stands in for the member, and fails what was for its sessions.
   *
   * @return the adopter's node id; this node's when the member is unadopted
   */
  String departed(String node) {
    if (!quorate.getAsBoolean()) {
      unadopted.add(node);
      LOG.warning(() -> "Cluster member " + node + " left while this node's side of the "
          + "cluster lacks quorum (mqtt.cluster.min-members): no node here adopts its sessions, "
          + "and QoS 1/2 messages for them are refused until this side has its quorum again");
      return self;
    }
    String adopter = oldestMember(node);
    adopters.put(node, adopter);
    boolean released;
    synchronized (this) {
      if (adopter.equals(self)) {
        here.put(node, State.RUNNING);
        unquiet();
        // held from now on, so nothing for its sessions is taken by no one meanwhile
        unadopted.remove(node);
        return adopter;
      }
      released = here.remove(node) != null && idle();
    }
    unadopted.remove(node);
    if (released) {
      routeHeld();
    }
    return adopter;
  }

  /** @return whether {@code node} left while this side lacked quorum, and nobody adopted it */
  boolean unadopted(String node) {
    return unadopted.contains(node);
  }

  /** @return the members that left unadopted and are no members now */
  Set<String> unadoptedGone() {
    Set<String> gone = new HashSet<>();
    for (String node : unadopted) {
      if (ClusterNode.member(hazelcast, node) == null) {
        gone.add(node);
      }
    }
    return gone;
  }

  /**
   * This node began adopting the member's sessions, and its side lost quorum meanwhile: it
   * stops, and what it held for them fails instead of being taken by no one.
   */
  void abandoned(String node) {
    unadopted.add(node);
    adopted(node);
  }

  /** @return whether this node adopts the sessions of {@code node}, which left */
  synchronized boolean adoptsHere(String node) {
    return here.get(node) == State.RUNNING;
  }

  /**
   * A batch's sender waits for these adoptions here: those this node would make and has not
   * finished are expected, and the inbox holds the batch.
   *
   * @return whether an adoption runs or is expected here
   */
  boolean awaited(Set<String> nodes) {
    for (String node : nodes) {
      if (noticed.contains(node) || unadopted.contains(node)
          || !self.equals(adopters.getOrDefault(node, oldestMember(node)))) {
        continue;
      }
      synchronized (this) {
        if (!here.containsKey(node)) {
          here.put(node, State.EXPECTED);
          unquiet();
          CompletableFuture.delayedExecutor(EXPECTED_MILLIS, TimeUnit.MILLISECONDS)
              .execute(() -> expire(node));
        }
      }
    }
    return pending();
  }

  /** Holds back sessions about to be handed over until what was held for them is routed. */
  private void unquiet() {
    if (quiet.isDone()) {
      quiet = new CompletableFuture<>();
    }
  }

  /**
   * Waits, at most {@code timeoutMillis}, until no adoption runs here and what this node held
   * meanwhile is routed: a session adopted here is handed over with those messages, not before.
   */
  void awaitQuiet(long timeoutMillis) throws InterruptedException {
    CompletableFuture<Void> q;
    synchronized (this) {
      q = quiet;
    }
    try {
      q.get(timeoutMillis, TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      LOG.warning(() -> "A session is handed over while this node still adopts sessions of a "
          + "member that left: " + e);
    }
  }

  /** @return whether an adoption runs or is expected here */
  synchronized boolean pending() {
    return !idle();
  }

  private boolean idle() {
    return here.values().stream().allMatch(s -> s == State.DONE);
  }

  /** The member a peer expected to leave did not, in this node's view: nothing to wait for. */
  private void expire(String node) {
    boolean released;
    synchronized (this) {
      released = here.remove(node, State.EXPECTED) && idle();
    }
    if (released) {
      LOG.warning(() -> "A peer said cluster member " + node + " left, but it did not in this "
          + "node's view within " + EXPECTED_MILLIS + " ms; what was held for it is routed");
      routeHeld();
    }
  }

  /** This node took the session of {@code clientId} from the copy {@code departed} wrote. */
  void tookOver(String departed, String clientId) {
    taken.computeIfAbsent(departed, k -> ConcurrentHashMap.newKeySet()).add(clientId);
  }

  /** @return the sessions this node took over from {@code departed} */
  Set<String> sessionsOf(String departed) {
    return taken.getOrDefault(departed, Set.of());
  }

  /**
   * This node's adoption of the member's sessions is done: once no other runs, what the inbox
   * held is routed, then every member is told.
   */
  void adopted(String departed) {
    boolean released;
    synchronized (this) {
      here.put(departed, State.DONE);
      released = idle();
    }
    if (released) {
      routeHeld();
    }
  }

  private void routeHeld() {
    release.get().whenComplete((done, failure) -> {
      List<String> finished;
      synchronized (this) {
        finished = new ArrayList<>();
        here.forEach((node, state) -> {
          if (state == State.DONE) {
            finished.add(node);
          }
        });
        // noticed first: a batch that still names one of them is not held for it again
        finished.removeIf(unadopted::contains);
        noticed.addAll(finished);
        here.values().removeIf(state -> state == State.DONE);
        if (here.isEmpty()) {
          quiet.complete(null);
        }
      }
      finished.forEach(this::announce);
    });
  }

  /** Tells every member, this one included, that this node adopted what {@code departed} held. */
  private void announce(String departed) {
    AdoptionDone done = new AdoptionDone(self, departed, announced.get());
    done.applyTo(this);
    List<Member> others = new ArrayList<>();
    for (Member m : hazelcast.getCluster().getMembers()) {
      if (!m.localMember()) {
        others.add(m);
      }
    }
    try {
      IExecutorService executor = hazelcast.getExecutorService(EXECUTOR);
      executor.submitToMembers(done, others);
    } catch (RuntimeException e) {
      LOG.log(Level.FINE, "The members were not told that this node adopted the sessions of "
          + departed + " (this member stops)", e);
    }
  }

  /** An adopter is done ({@link AdoptionDone}, run here). */
  void noticed(String adopter, String departed, Set<String> adopterFilters) {
    noticed.add(departed);
    Noticed l = listener;
    if (l != null) {
      l.adoptionDone(adopter, departed, adopterFilters);
    }
  }

  /**
   * @return whether a CONNECT here must leave the copy {@code writer} wrote to the node that
   *     adopts its sessions, which has not said it is done: it takes the copy and would hold
   *     what it was sent for the session meanwhile
   */
  boolean awaitsAdopter(String writer) {
    String adopter = adopters.get(writer);
    return adopter != null && !noticed.contains(writer) && !adopter.equals(self)
        && ClusterNode.member(hazelcast, adopter) != null;
  }

  /** @return the oldest member other than {@code leaving}: its adopter */
  private String oldestMember(String leaving) {
    for (Member m : hazelcast.getCluster().getMembers()) {
      String id = m.getUuid().toString();
      if (!id.equals(leaving)) {
        return id;
      }
    }
    return self;
  }

  /** @return the members that left whose adopter is {@code node} and did not say it is done */
  Set<String> awaitedFrom(String node) {
    Set<String> out = new HashSet<>();
    adopters.forEach((departed, adopter) -> {
      if (adopter.equals(node) && !noticed.contains(departed)) {
        out.add(departed);
      }
    });
    return out;
  }
}
