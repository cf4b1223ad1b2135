package org.ferrymq.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.instance.impl.HazelcastInstanceFactory;
import com.hazelcast.map.IMap;
import com.hazelcast.replicatedmap.ReplicatedMap;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Logger;
import org.ferrymq.engine.ClientSummary;
import org.ferrymq.engine.MqttBroker;
import org.ferrymq.persistence.Persistence;
import org.ferrymq.topic.SubscriptionTree;

/**
 * This broker's membership in a cluster: an embedded Hazelcast member, joined by TCP/IP from the
 * configured member list (no multicast, no auto-detection), guarded by the shared secret
 * ({@link JoinGuard}), and the parts it plugs into the broker's seams: the cluster-wide
 * subscription index, the link that forwards messages to peers, the cluster-wide retained
 * messages, and the directory and handover of sessions ({@link ClusterSessions}). See docs/cluster.md.
 *
 * <p>Lifecycle: {@link #join} before the broker is built, {@link #configure} its builder,
 * {@link #attach} the built broker before it starts, and {@link #close} after it stopped, which
 * leaves the cluster gracefully (the member hands its data partitions over first).
 */
public final class ClusterNode implements ClusterView, AutoCloseable {
  static final String FILTERS = "ferrymq.filters";
  static final String RETAINED = "ferrymq.retained";
  static final String FORWARDING = "ferrymq.forwarding";
  static final String SETTLING = "ferrymq.settling";
  static final String FIGURES = "ferrymq.node-figures";
  static final String ADMIN = "ferrymq.admin";
  /** How long a cluster-wide admin query waits for the members' answers. */
  private static final long ADMIN_ANSWER_MILLIS = 5_000;
  /** How long a node that stops waits for its settlements and copies before it leaves. */
  private static final long LEAVE_WAIT_SECONDS = 5;
  static final String SESSIONS = "ferrymq.sessions";
  static final String HANDOVER = "ferrymq.handover";
  static final String SESSION_COPIES = "ferrymq.session-copies";
  static final String QUEUE_COPIES = "ferrymq.queue-copies";
  static final String WILLS = "ferrymq.wills";
  private static final Logger LOG = Logger.getLogger(ClusterNode.class.getName());

  private final ClusterConfig config;
  private final HazelcastInstance hazelcast;
  private final String self;
  private final JoinProof proof;
  private final Inbox inbox;
  private final LongAdder refusedJoins;
  private final PeerForwarder forwarder;
  private final Settlements settlements;
  private final FilterDirectory directory;
  private final Adoptions adoptions;
  private final IMap<String, byte[]> retained;
  private final ClusterFigures figures;
  private final SplitBrainGuard splitBrain;
  /** The cluster-wide index given to the broker; null until {@link #configure}. */
  private volatile ClusterSubscriptionIndex index;
  /** The periodic repair of the index from the directory; null until {@link #configure}. */
  private volatile java.util.concurrent.ScheduledFuture<?> reconciliation;
  private final ClusterSessions sessions;
  private final SessionBackups backups;
  private final WillCopies wills;

  private ClusterNode(ClusterConfig config, HazelcastInstance hazelcast, JoinProof proof,
      Inbox inbox, LongAdder refusedJoins) {
    this.config = config;
    this.hazelcast = hazelcast;
    this.self = hazelcast.getCluster().getLocalMember().getUuid().toString();
    this.proof = proof;
    this.inbox = inbox;
    this.refusedJoins = refusedJoins;
    this.splitBrain = new SplitBrainGuard(config.minMembers(), hazelcast);
    this.adoptions = new Adoptions(hazelcast, self, splitBrain::quorate);
    hazelcast.getUserContext().put(Adoptions.class.getName(), adoptions);
    this.forwarder = new PeerForwarder(hazelcast, hazelcast.getExecutorService(FORWARDING),
        self, adoptions, inbox, config.forwardTimeoutSeconds());
    this.settlements = new Settlements(hazelcast, hazelcast.getExecutorService(SETTLING), self);
    hazelcast.getUserContext().put(PeerForwarder.class.getName(), forwarder);
    ReplicatedMap<String, String> filters = hazelcast.getReplicatedMap(FILTERS);
    this.directory = new FilterDirectory(filters, self, node -> member(hazelcast, node) != null);
    this.retained = hazelcast.getMap(RETAINED);
    ReplicatedMap<String, long[]> figuresMap = hazelcast.getReplicatedMap(FIGURES);
    this.figures = new ClusterFigures(figuresMap, self, this::memberIds);
    IMap<String, String> sessionDirectory = hazelcast.getMap(SESSIONS);
    IMap<String, byte[]> sessionCopies = hazelcast.getMap(SESSION_COPIES);
    IMap<String, byte[]> queueCopies = hazelcast.getMap(QUEUE_COPIES);
    this.backups = new SessionBackups(sessionCopies, queueCopies, self, adoptions::tookOver,
        splitBrain::mergingBack);
    this.sessions = new ClusterSessions(hazelcast, hazelcast.getExecutorService(HANDOVER),
        sessionDirectory, self, config.handoverTimeoutSeconds(), backups, adoptions, splitBrain);
    hazelcast.getUserContext().put(ClusterSessions.class.getName(), sessions);
    this.wills = new WillCopies(hazelcast, hazelcast.getMap(WILLS), self, splitBrain);
  }

  /**
   * Starts this node's member and joins the cluster of the configured members.
   *
   * @throws IllegalStateException when the member cannot start or join (port taken, refused as
   *     a stranger, or a member of the cluster does not prove the secret); the message names
   *     the setting to look at
   */
  public static ClusterNode join(ClusterConfig config) {
    if (!config.enabled()) {
      throw new IllegalArgumentException("clustering is off (mqtt.cluster.enabled)");
    }
    JoinProof proof = new JoinProof(config.secret(), config.name());
    Inbox inbox = new Inbox(config.forwardTimeoutSeconds());
    Config hz = memberConfig(config, proof, inbox);
    LongAdder refused = new LongAdder();
    HazelcastInstance instance;
    try {
      instance = HazelcastInstanceFactory.newHazelcastInstance(hz, hz.getInstanceName(),
          JoinGuard.context(proof, refused));
    } catch (RuntimeException e) {
      // a refused join shows in the log of the member that refused it and of this one
      throw new IllegalStateException("This node could not start its member of cluster '"
          + config.name() + "' on port " + config.port() + " (check mqtt.cluster.port, "
          + "mqtt.cluster.members and, when a member refused this one, mqtt.cluster.secret): "
          + e.getMessage(), e);
    }
    ClusterNode node = new ClusterNode(config, instance, proof, inbox, refused);
    node.checkMembers();
    LOG.info(() -> "FerryMQ joined cluster '" + config.name() + "' as " + node.self + " with "
        + instance.getCluster().getMembers().size() + " members");
    return node;
  }

  private static Config memberConfig(ClusterConfig c, JoinProof proof, Inbox inbox) {
    Config hz = new Config();
    hz.setInstanceName("ferrymq-" + c.name() + "-" + c.port());
    hz.setClusterName(c.name());
    // Liberty: deserialise FerryMQ's classes (the forwarded batches) with the adapter's loader
    hz.setClassLoader(ClusterNode.class.getClassLoader());
    hz.setProperty("hazelcast.logging.type", "jdk");
    hz.setProperty("hazelcast.phone.home.enabled", "false");
    hz.setProperty("hazelcast.shutdownhook.enabled", "false");
    hz.getJetConfig().setEnabled(false);
    hz.getMemberAttributeConfig().setAttribute(JoinProof.ATTRIBUTE, proof.token());
    NetworkConfig network = hz.getNetworkConfig();
    network.setPort(c.port()).setPortAutoIncrement(false);
    if (!c.host().isEmpty()) {
      network.getInterfaces().setEnabled(true).addInterface(c.host());
      hz.setProperty("hazelcast.local.localAddress", c.host());
      hz.setProperty("hazelcast.socket.bind.any", "false");
    }
    JoinConfig join = network.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true).setMembers(c.members());
    // a joining member mirrors the directory from one snapshot, then from its events; entries
    // an asynchronous fill-up brings after the snapshot come without events, and would never
    // reach the index: so the map is filled before this member's proxy is handed out
    hz.getReplicatedMapConfig(FILTERS).setAsyncFillup(false);
    hz.getMapConfig(RETAINED).setBackupCount(c.backupCount());
    SplitBrainGuard.protect(hz, c, RETAINED);
    hz.getMapConfig(SESSIONS).setBackupCount(c.backupCount());
    hz.getMapConfig(SESSION_COPIES).setBackupCount(c.backupCount());
    hz.getMapConfig(QUEUE_COPIES).setBackupCount(c.backupCount());
    hz.getMapConfig(WILLS).setBackupCount(c.backupCount());
    // not write-protected: a side without quorum asks them nothing it could not write
    // (ClusterSessions), and keeps its own sessions' copies, which a merge drops
    SplitBrainGuard.discardOnMerge(hz, c, SESSIONS, SESSION_COPIES, QUEUE_COPIES, WILLS);
    // what the tasks peers send here find: the inbox now, the forwarder once it exists
    ConcurrentHashMap<String, Object> context = new ConcurrentHashMap<>();
    context.put(Inbox.class.getName(), inbox);
    hz.setUserContext(context);
    return hz;
  }

  /** Every member must prove the secret: a cluster whose master let a stranger in is left. */
  private void checkMembers() {
    for (Member m : hazelcast.getCluster().getMembers()) {
      if (!proof.verifies(m.getAttribute(JoinProof.ATTRIBUTE))) {
        hazelcast.getLifecycleService().terminate();
        throw new IllegalStateException("Cluster '" + config.name() + "' has member "
            + m.getAddress() + " that does not prove it knows mqtt.cluster.secret; this node "
            + "left it");
      }
    }
  }

  /**
   * Like {@link #configure(MqttBroker.Builder, Persistence, boolean)}, acknowledgements not
   * waiting for the sessions' backup copies (persistence modes {@code none} and {@code queued}).
   */
  public MqttBroker.Builder configure(MqttBroker.Builder builder, Persistence persistence) {
    return configure(builder, persistence, false);
  }

  /**
   * Gives the broker this node's cluster-wide parts: the subscription index, the link to the
   * peers, the cluster-wide retained messages over the node's own persistence, and the session
   * directory, handover and backup copies.
   *
   * @param persistence the node's own backend (sessions, queues, its copy of retained messages)
   * @param awaitCopies whether a QoS 1/2 acknowledgement waits for the backup copies of the
   *     sessions it queued the message for (persistence mode {@code persistent})
   */
  public MqttBroker.Builder configure(MqttBroker.Builder builder, Persistence persistence,
      boolean awaitCopies) {
    backups.awaitedByAcknowledgements(awaitCopies);
    index = new ClusterSubscriptionIndex(new SubscriptionTree(), directory);
    directory.mirrorInto(index);
    reconciliation = new DirectoryReconciler(directory, self, this::memberIds)
        .runEvery(config.reconcileSeconds());
    Set<String> members = memberIds();
    ClusterRetained clusterRetained = new ClusterRetained(persistence.retained(), retained,
        splitBrain::quorate);
    hazelcast.getCluster().addMembershipListener(new MembershipListener() {
      @Override
      public void memberAdded(MembershipEvent event) {
        Member m = event.getMember();
        if (!proof.verifies(m.getAttribute(JoinProof.ATTRIBUTE))) {
          // only a master that is not a FerryMQ node with the secret admits such a member
          LOG.severe(() -> "Cluster member " + m.getAddress() + " joined without proving it "
              + "knows mqtt.cluster.secret: the cluster's master does not check the secret");
        }
        splitBrain.afterJoin(() -> quorumRegained(clusterRetained));
      }

      @Override
      public void memberRemoved(MembershipEvent event) {
        departed(event.getMember().getUuid().toString());
      }
    });
    ClusterSubscriptionIndex built = index;
    adoptions.attach(inbox::release, built::announced, (adopter, departed, filters) -> {
      built.adoptionDone(adopter, departed, filters);
      // the adopter itself kept the filters of the member that left until now
      built.peerGone(departed);
    });
    directory.forgetAllBut(members);
    figures.forgetAllBut(members);
    if (config.splitBrainProtected()) {
      builder.ackSafety(new MinorityAcks(splitBrain, adoptions, hazelcast));
    }
    return builder.subscriptionIndex(index).peerLink(forwarder).sysExtension(figures)
        .sessionRegistry(sessions.registry()).sessionHandover(sessions)
        .connectionWills(wills)
        .handoverGrace(Duration.ofSeconds(config.handoverGraceSeconds()))
        .forwardTimeout(Duration.ofSeconds(config.forwardTimeoutSeconds()))
        .persistence(new ClusteredPersistence(persistence, clusterRetained, backups));
  }

  /**
   * A member left: what was on its way to it goes to the adopter of its sessions first, then
   * its filters point there. On a side without quorum nobody adopts them, and this node fails
   * what was for them ({@link Adoptions#unadopted}).
   */
  private void departed(String node) {
    String adopter = adoptions.departed(node);
    forwarder.peerGone(node, adopter);
    if (adoptions.unadopted(node)) {
      directory.memberCutOff(node);
    } else {
      directory.memberLeft(node, adopter);
    }
    figures.memberLeft(node);
    inbox.forgetAllBut(memberIds());
    settlements.peerGone(node);
    sessions.memberLeft(node);
    wills.memberLeft(node);
  }

  /**
   * This side has its quorum again: the retained changes it kept are written, and the members
   * that left meanwhile are adopted now, as if they had just left. A node merging back after a
   * split never gets here ({@link SplitBrainGuard#quorate}): it restarts, and the majority's
   * state wins. One join at a time: each member is adopted once.
   */
  private synchronized void quorumRegained(ClusterRetained clusterRetained) {
    clusterRetained.quorumRegained();
    adoptions.unadoptedGone().forEach(this::departed);
  }

  /** Connects the built broker: forwarded batches and retained changes reach it from now on. */
  public void attach(MqttBroker broker) {
    hazelcast.getUserContext().put(MqttBroker.class.getName(), broker);
    retained.addEntryListener(new ClusterRetained.Mirror(broker.clusterPort()), true);
    inbox.attach(broker.clusterPort(), settlements, adoptions);
    sessions.attach(broker.clusterPort());
    wills.attach(broker.clusterPort());
  }

  /**
   * @return the part of this node that tasks sent by peers use, found in the member's user
   *     context
   * @throws IllegalStateException when the member has none (not a FerryMQ node)
   */
  static <T> T local(HazelcastInstance instance, Class<T> type) {
    Object found = instance.getUserContext().get(type.getName());
    if (!type.isInstance(found)) {
      throw new IllegalStateException("no FerryMQ broker on this member");
    }
    return type.cast(found);
  }

  /** @return the member with that node id, null when it is not in the cluster (any more) */
  static Member member(HazelcastInstance instance, String node) {
    for (Member m : instance.getCluster().getMembers()) {
      if (m.getUuid().toString().equals(node)) {
        return m;
      }
    }
    return null;
  }

  private Set<String> memberIds() {
    Set<String> ids = new HashSet<>();
    hazelcast.getCluster().getMembers().forEach(m -> ids.add(m.getUuid().toString()));
    return ids;
  }

  private static String address(Member m) {
    return m.getAddress().getHost() + ":" + m.getAddress().getPort();
  }

  /**
   * @return this node's view of the cluster now: membership, its forwarding counters and the
   *     members' totals; local reads only, nothing crosses the network
   */
  @Override
  public ClusterStatus status() {
    try {
      if (hazelcast.getLifecycleService().isRunning()) {
        List<String> addresses = new ArrayList<>();
        hazelcast.getCluster().getMembers().forEach(m -> addresses.add(address(m)));
        return status(true, address(hazelcast.getCluster().getLocalMember()), addresses,
            figures.totals());
      }
    } catch (IllegalStateException e) {
      // the member shut down while it was read (HazelcastInstanceNotActiveException)
    }
    return status(false, config.host() + ":" + config.port(), List.of(),
        new ClusterTotals(0, 0, 0, 0, 0, 0));
  }

  private ClusterStatus status(boolean running, String address, List<String> members,
      ClusterTotals totals) {
    return new ClusterStatus(config.name(), self, address, running, members, config.members(),
        forwarder.forwarded(), forwarder.batches(), inbox.received(), refusedJoins.sum(),
        sessions.handedOver(), sessions.restored(), totals, config.minMembers(), running && splitBrain.quorate(),
        splitBrain.mergedAfterSplit());
  }

  @Override
  public List<NodeFigures> nodes() {
    List<NodeFigures> nodes = new ArrayList<>();
    for (Member m : hazelcast.getCluster().getMembers()) {
      nodes.add(figures.of(m.getUuid().toString(), address(m), m.localMember()));
    }
    return nodes;
  }

  @Override
  public List<PeerTraffic> peers() {
    List<PeerTraffic> peers = new ArrayList<>();
    try {
      for (Member m : hazelcast.getCluster().getMembers()) {
        String id = m.getUuid().toString();
        if (!m.localMember()) {
          peers.add(new PeerTraffic(id, address(m), forwarder.forwardedTo(id),
              inbox.receivedFrom(id), forwarder.unsettledTo(id)));
        }
      }
      inbox.forgetAllBut(memberIds());
    } catch (IllegalStateException e) {
      // the member shut down while it was read (HazelcastInstanceNotActiveException)
      return List.of();
    }
    return peers;
  }

  @Override
  public List<NodeClients> clients() {
    Map<Member, Future<ArrayList<ClientSummary>>> answers = hazelcast
        .getExecutorService(ADMIN).submitToAllMembers(new ClientsQuery());
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ADMIN_ANSWER_MILLIS);
    List<NodeClients> all = new ArrayList<>();
    for (Member m : hazelcast.getCluster().getMembers()) {
      Future<ArrayList<ClientSummary>> answer = answers.get(m);
      List<ClientSummary> clients = answer == null ? null : answerWithin(answer, deadline);
      all.add(new NodeClients(m.getUuid().toString(), address(m), m.localMember(),
          clients != null, clients == null ? List.of() : clients));
    }
    return all;
  }

  /** @return the member's clients, or null when it failed or did not answer by the deadline */
  private static List<ClientSummary> answerWithin(Future<ArrayList<ClientSummary>> answer,
      long deadline) {
    try {
      return answer.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (ExecutionException | TimeoutException e) {
      LOG.fine(() -> "A member did not list its clients: " + e);
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /** Waits until the settlements made and the copy writes issued here are done, 5 s at most. */
  private void handOffBeforeLeaving() {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(LEAVE_WAIT_SECONDS);
    try {
      // a terminated member reaches no one any more
      while (hazelcast.getLifecycleService().isRunning()
          && !(settlements.delivered() && backups.allWritten())) {
        if (System.nanoTime() > deadline) {
          LOG.warning(() -> "Leaving the cluster with settlements or session backup copies "
              + "still on their way after " + LEAVE_WAIT_SECONDS + " s");
          return;
        }
        Thread.sleep(10);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** @return this node's id in the cluster (its Hazelcast member UUID) */
  public String nodeId() {
    return self;
  }

  /** @return the TCP port this node's member listens on */
  public int port() {
    return config.port();
  }

  /** @return the members the cluster has now, this one included */
  public int memberCount() {
    return hazelcast.getCluster().getMembers().size();
  }

  /** @return join requests this node refused, as master, for want of the secret */
  public long refusedJoins() {
    return refusedJoins.sum();
  }

  /** @return messages this node forwarded to {@code node} so far */
  public long forwardedTo(String node) {
    return forwarder.forwardedTo(node);
  }

  /** @return batches this node sent to peers so far */
  public long batchesSent() {
    return forwarder.batches();
  }

  /** @return messages peers forwarded to this node, routed here */
  public long receivedFromPeers() {
    return inbox.received();
  }

  /**
   * @return whether a peer has announced subscribers for exactly this filter and this node's
   *     index routes to it (the directory's events reach the index after the map has the key)
   */
  public boolean knowsPeerFilter(String node, String filter) {
    return directory.has(node, filter) && index != null && index.routesToPeer(node, filter);
  }

  /** @return the cluster-wide index given to the broker, null before {@link #configure} */
  ClusterSubscriptionIndex subscriptionIndex() {
    return index;
  }

  /** @return whether the cluster-wide retained map holds a message on this topic */
  boolean sharesRetained(String topic) {
    return retained.containsKey(topic);
  }

  /**
   * Leaves the cluster gracefully, after the broker stopped: first the settlements of what its
   * sessions took reach their origins and the sessions' backup copies are written, in every
   * persistence mode (for a few seconds at most), so the node adopting its sessions has them
   * complete and the origins send it only what was not taken here; then the member hands its
   * partitions to the others.
   */
  @Override
  public void close() {
    handOffBeforeLeaving();
    if (reconciliation != null) {
      reconciliation.cancel(false);
    }
    sessions.close();
    wills.close();
    if (hazelcast.getLifecycleService().isRunning()) {
      hazelcast.shutdown();
      LOG.info(() -> "FerryMQ left cluster '" + config.name() + "'");
    }
  }
}
