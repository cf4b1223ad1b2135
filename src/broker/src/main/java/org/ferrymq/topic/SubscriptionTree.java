/*
 * Topic matching rules of FerryMQ (MQTT 3.1.1 section 4.7, MQTT 5 sections 4.7 and 4.8.2).
 * TopicMatcher, SubscriptionTree and RetainedTree implement exactly these rules;
 * TopicMatchingRulesTest checks every example below against all three.
 *
 * Levels
 *   Topic names and filters are split at every '/' into levels. Empty levels are levels:
 *   "a//b" has three levels ("a", "", "b"), "/a" has two ("", "a"), "a/" has two ("a", ""),
 *   "/" has two empty ones. Levels compare exactly: case-sensitive, nothing is trimmed, collapsed
 *   or otherwise normalised ("a/b" does not match "A/b", "a/b/" or "a//b").
 *
 * Wildcards (filters only)
 *   '+'  matches exactly one level, including an empty one.
 *   '#'  is the whole last level. It matches the level it follows (its parent) and any number of
 *        further levels: "sport/#" matches "sport", "sport/", "sport/a/b".
 *        "#" alone matches every topic except $-topics.
 *
 * $-topics [MQTT-4.7.2-1]
 *   A topic name starting with '$' is not matched by a filter whose first level is '+' or '#'.
 *   Filters starting with a literal level match them as usual ("$SYS/#").
 *
 * Shared subscriptions [MQTT-4.8.2]
 *   "$share/<name>/<filter>" matches exactly like <filter>, $-rule included: "$share/g/#" does not
 *   match "$SYS/x". The share name only groups the subscribers.
 *
 * Valid filters          Invalid filters (Topics rejects them; they never reach the tree)
 *   #                      ""                 empty [MQTT-4.7.3-1]
 *   sport/#                sport/tennis#      '#' not a whole level [MQTT-4.7.1-1]
 *   +                      sport/#/ranking    '#' not the last level [MQTT-4.7.1-1]
 *   +/tennis/#             sport+             '+' not a whole level [MQTT-4.7.1-2]
 *   sport/+/player1        $share/g           no filter after the share name [MQTT-4.8.2-1]
 *   /+, a//b, $SYS/#       $share/g+/a        wildcard in the share name [MQTT-4.8.2-2]
 *   $share/g/a/+
 *
 * Filter                   Matches                               Does not match
 *   sport/tennis/player1/#   sport/tennis/player1                  sport/tennis
 *                            sport/tennis/player1/ranking          sport/tennis/player2
 *                            sport/tennis/player1/score/wimbledon  sport/tennis/player11
 *   sport/#                  sport, sport/, sport/a/b              sports, Sport/a
 *   sport/+                  sport/, sport/tennis                  sport, sport/tennis/x
 *   #                        a, /, /a, a//b                        $SYS, $SYS/broker/load
 *   +                        a, a b                                /, /a, a/b, $SYS
 *   +/+                      /finance, /, a/b                      a, a/b/c
 *   /+                       /finance, /                           finance, /a/b
 *   a//b                     a//b                                  a/b, a/x/b, a///b
 *   a/+/b                    a//b, a/x/b                           a/b, a/x/y/b
 *   +/monitor/Clients        a/monitor/Clients                     $SYS/monitor/Clients
 *   $SYS/#                   $SYS, $SYS/broker/load                $sys/broker, SYS/broker
 *   $SYS/monitor/+           $SYS/monitor/Clients                  $SYS/monitor
 *   $share/g/sport/+         sport/tennis                          sport
 *   $share/g/#               a/b                                   $SYS/a
 */
package org.ferrymq.topic;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The local {@link SubscriptionIndex}: a concurrent trie over filter levels, matching with the
 * rules in this file's header comment. Matching costs grow with the depth of the topic and the
 * number of matches, not with the number of subscriptions.
 *
 * <p>Concurrency policy: {@link #match} never locks. Node children live in
 * {@link ConcurrentHashMap}s; the {@code +} child, the subscribers of a filter ending at a node
 * and those of a filter ending in {@code /#} at a node are volatile fields whose immutable values
 * are replaced copy-on-write. Writers lock the nodes they change (only ever a parent before its
 * child) and a per-client record (always before any node), so the reverse client map and the trie
 * agree for every client. Empty nodes are pruned; the comment on {@code prune} explains why a
 * concurrent subscribe to a node being pruned is never lost. A matcher may see a subscription
 * that is being added or removed concurrently, or miss it; every subscription that was completely
 * added before {@code match} started and not removed before it ended is reported.
 *
 * <p>Longer than 400 lines on purpose: the lock order and the pruning protocol span the whole
 * trie, and splitting the nodes from their writers would hide the invariants they share.
 */
public final class SubscriptionTree implements SubscriptionIndex {

  /**
   * Most levels a filter may have. Matching recurses once per level, so this bounds the stack
   * depth (the guard HiveMQ CE's {@code LocalTopicTree} applies as a segment limit).
   */
  public static final int MAX_FILTER_LEVELS = 1024;

  private final Node root = new Node(null, "");
  private final ConcurrentHashMap<String, ClientSubscriptions> clients = new ConcurrentHashMap<>();
  private final AtomicInteger size = new AtomicInteger();

  /** Creates an empty tree. */
  public SubscriptionTree() {
  }

  /**
   * {@inheritDoc}
   *
   * @throws IllegalArgumentException if the filter has more than {@link #MAX_FILTER_LEVELS}
   *     levels
   */
  @Override
  public boolean subscribe(SubscriptionEntry entry) {
    Objects.requireNonNull(entry, "entry");
    requireSupportedDepth(entry.filter());
    String fullFilter = entry.fullFilter();
    while (true) {
      ClientSubscriptions client =
          clients.computeIfAbsent(entry.clientId(), id -> new ClientSubscriptions());
      synchronized (client) {
        if (client.closed) {
          continue;
        }
        SubscriptionEntry previous = client.byFilter.put(fullFilter, entry);
        attach(entry);
        if (previous == null) {
          size.incrementAndGet();
        }
        return previous == null;
      }
    }
  }

  @Override
  public boolean unsubscribe(String clientId, String fullFilter) {
    Objects.requireNonNull(fullFilter, "fullFilter");
    while (true) {
      ClientSubscriptions client = clients.get(clientId);
      if (client == null) {
        return false;
      }
      synchronized (client) {
        if (client.closed) {
          continue;
        }
        SubscriptionEntry removed = client.byFilter.remove(fullFilter);
        if (removed == null) {
          return false;
        }
        detach(removed);
        size.decrementAndGet();
        if (client.byFilter.isEmpty()) {
          close(clientId, client);
        }
        return true;
      }
    }
  }

  @Override
  public List<SubscriptionEntry> unsubscribeAll(String clientId) {
    while (true) {
      ClientSubscriptions client = clients.get(clientId);
      if (client == null) {
        return List.of();
      }
      synchronized (client) {
        if (client.closed) {
          continue;
        }
        List<SubscriptionEntry> removed = List.copyOf(client.byFilter.values());
        for (SubscriptionEntry entry : removed) {
          detach(entry);
        }
        size.addAndGet(-removed.size());
        client.byFilter.clear();
        close(clientId, client);
        return removed;
      }
    }
  }

  @Override
  public List<SubscriptionEntry> subscriptionsOf(String clientId) {
    ClientSubscriptions client = clients.get(clientId);
    if (client == null) {
      return List.of();
    }
    synchronized (client) {
      return List.copyOf(client.byFilter.values());
    }
  }

  @Override
  public int size() {
    return size.get();
  }

  @Override
  public void match(String topic, MatchSink sink) {
    matchCountingNodes(topic, sink);
  }

  /**
   * Matches like {@link #match} and returns how many trie nodes the walk visited, so that tests
   * can check the cost without measuring time.
   */
  int matchCountingNodes(String topic, MatchSink sink) {
    if (topic.isEmpty()) {
      throw new IllegalArgumentException("[MQTT-4.7.3-1] topic name must not be empty");
    }
    Objects.requireNonNull(sink, "sink");
    return walk(root, topic, 0, !TopicMatcher.isDollarTopic(topic), new LevelKey(), sink);
  }

  /**
   * Visits {@code node}, reached by matching the topic levels before {@code start};
   * {@code start > topic.length()} means every level has been matched.
   */
  private static int walk(Node node, String topic, int start, boolean wildcardsMatch,
      LevelKey key, MatchSink sink) {
    if (wildcardsMatch) {
      node.multiLevel.deliver(sink);
    }
    if (start > topic.length()) {
      node.exact.deliver(sink);
      return 1;
    }
    int visited = 1;
    int end = TopicMatcher.levelEnd(topic, start);
    Node child = node.children.get(key.set(topic, start, end));
    if (child != null) {
      visited += walk(child, topic, end + 1, true, key, sink);
    }
    Node plus = node.plus;
    if (plus != null && wildcardsMatch) {
      visited += walk(plus, topic, end + 1, true, key, sink);
    }
    return visited;
  }

  /** @return the number of trie nodes including the root, for pruning tests */
  int nodeCount() {
    int count = 0;
    Deque<Node> pending = new ArrayDeque<>();
    pending.push(root);
    while (!pending.isEmpty()) {
      Node node = pending.pop();
      count++;
      node.children.values().forEach(pending::push);
      Node plus = node.plus;
      if (plus != null) {
        pending.push(plus);
      }
    }
    return count;
  }

  private static void requireSupportedDepth(String filter) {
    int levels = 1;
    for (int i = 0; i < filter.length(); i++) {
      if (filter.charAt(i) == '/' && ++levels > MAX_FILTER_LEVELS) {
        throw new IllegalArgumentException(
            "topic filter has more than " + MAX_FILTER_LEVELS + " levels");
      }
    }
  }

  private void close(String clientId, ClientSubscriptions client) {
    client.closed = true;
    clients.remove(clientId, client);
  }

  /** Adds or replaces the entry in its node. Caller holds the client's lock. */
  private void attach(SubscriptionEntry entry) {
    boolean multiLevel = isMultiLevel(entry.filter());
    while (true) {
      Node node = terminal(entry.filter(), true);
      if (node == null) {
        continue;
      }
      synchronized (node) {
        if (node.removed) {
          continue;
        }
        node.set(multiLevel, node.get(multiLevel).with(entry));
        return;
      }
    }
  }

  /** Removes the entry from its node and prunes. Caller holds the client's lock. */
  private void detach(SubscriptionEntry entry) {
    boolean multiLevel = isMultiLevel(entry.filter());
    Node node = terminal(entry.filter(), false);
    if (node == null) {
      throw new IllegalStateException("no tree node for a known subscription: " + entry);
    }
    synchronized (node) {
      node.set(multiLevel, node.get(multiLevel).without(entry));
    }
    prune(node);
  }

  private static boolean isMultiLevel(String filter) {
    return filter.charAt(filter.length() - 1) == '#';
  }

  /**
   * Finds the node holding a filter's subscribers: the node of its last level, or for a filter
   * ending in {@code #} the node of the level before it (the root for {@code "#"}).
   *
   * @param create whether to create missing nodes
   * @return the node; {@code null} if it is missing and {@code create} is false, or if
   *     {@code create} is true and the walk ran into a node pruned concurrently (retry then)
   */
  private Node terminal(String filter, boolean create) {
    Node node = root;
    int start = 0;
    while (start <= filter.length()) {
      int end = TopicMatcher.levelEnd(filter, start);
      if (end - start == 1 && filter.charAt(start) == '#') {
        return node;
      }
      node = child(node, filter.substring(start, end), create);
      if (node == null) {
        return null;
      }
      start = end + 1;
    }
    return node;
  }

  private static Node child(Node parent, String level, boolean create) {
    boolean plus = level.equals("+");
    Node child = plus ? parent.plus : parent.children.get(level);
    if (child != null || !create) {
      return child;
    }
    // Children are only added under the parent's lock after checking that the parent is still
    // attached; prune() checks emptiness under the same lock.
    synchronized (parent) {
      if (parent.removed) {
        return null;
      }
      child = plus ? parent.plus : parent.children.get(level);
      if (child == null) {
        child = new Node(parent, level);
        if (plus) {
          parent.plus = child;
        } else {
          parent.children.put(level, child);
        }
      }
      return child;
    }
  }

  /**
   * Detaches empty nodes from {@code node} upwards. A node is detached while holding its parent's
   * lock and then its own, after checking under both that it is empty; it is then marked removed.
   * Subscribers are only added to a node under its lock after checking it is not removed, and
   * children only under the parent's lock after the same check, so a subscribe racing with the
   * prune either makes the node non-empty first (the prune stops) or sees the mark and retries
   * from the root, recreating the path.
   */
  private void prune(Node node) {
    for (Node current = node; current.parent != null; current = current.parent) {
      Node parent = current.parent;
      synchronized (parent) {
        synchronized (current) {
          if (current.removed || !current.isEmpty()) {
            return;
          }
          current.removed = true;
          if (parent.plus == current) {
            parent.plus = null;
          } else {
            parent.children.remove(current.level, current);
          }
        }
      }
    }
  }

  /** One trie node: one level of a filter below its parent. */
  private static final class Node {
    final Node parent;
    final String level;
    final ConcurrentHashMap<String, Node> children = new ConcurrentHashMap<>(2);
    /** The child for a '+' level. Written under this node's lock. */
    volatile Node plus;
    /** Subscribers of the filter that ends at this node. Written under this node's lock. */
    volatile Subscribers exact = Subscribers.NONE;
    /** Subscribers of this node's filter followed by '/#' ("#" at the root). Same lock. */
    volatile Subscribers multiLevel = Subscribers.NONE;
    /** Set once, under the parent's and this node's lock, when the node is detached. */
    boolean removed;

    Node(Node parent, String level) {
      this.parent = parent;
      this.level = level;
    }

    Subscribers get(boolean multi) {
      return multi ? multiLevel : exact;
    }

    void set(boolean multi, Subscribers subscribers) {
      if (multi) {
        multiLevel = subscribers;
      } else {
        exact = subscribers;
      }
    }

    /** Caller holds this node's lock. */
    boolean isEmpty() {
      return exact.isEmpty() && multiLevel.isEmpty() && plus == null && children.isEmpty();
    }
  }

  /**
   * The immutable subscriber set of one filter: its non-shared entries and its shared groups.
   * Changed copy-on-write under the owning node's lock, except that a group's member list is
   * replaced inside the group.
   */
  private static final class Subscribers {
    static final Subscribers NONE =
        new Subscribers(new SubscriptionEntry[0], new SharedGroup[0]);

    final SubscriptionEntry[] direct;
    final SharedGroup[] groups;

    Subscribers(SubscriptionEntry[] direct, SharedGroup[] groups) {
      this.direct = direct;
      this.groups = groups;
    }

    boolean isEmpty() {
      return direct.length == 0 && groups.length == 0;
    }

    void deliver(MatchSink sink) {
      for (SubscriptionEntry entry : direct) {
        sink.direct(entry);
      }
      for (SharedGroup group : groups) {
        sink.shared(group);
      }
    }

    Subscribers with(SubscriptionEntry entry) {
      if (entry.isShared()) {
        int index = groupIndex(entry.shareName());
        if (index >= 0) {
          groups[index].put(entry);
          return this;
        }
        SharedGroup[] updated = Arrays.copyOf(groups, groups.length + 1);
        updated[groups.length] = new SharedGroup(entry);
        return new Subscribers(direct, updated);
      }
      int index = directIndex(entry.clientId());
      SubscriptionEntry[] updated;
      if (index >= 0) {
        updated = direct.clone();
        updated[index] = entry;
      } else {
        updated = Arrays.copyOf(direct, direct.length + 1);
        updated[direct.length] = entry;
      }
      return new Subscribers(updated, groups);
    }

    Subscribers without(SubscriptionEntry entry) {
      if (entry.isShared()) {
        int index = groupIndex(entry.shareName());
        if (index < 0) {
          return this;
        }
        SharedGroup group = groups[index];
        group.remove(entry.clientId());
        if (!group.members().isEmpty()) {
          return this;
        }
        return new Subscribers(direct, removeAt(groups, index, new SharedGroup[groups.length - 1]));
      }
      int index = directIndex(entry.clientId());
      if (index < 0) {
        return this;
      }
      return new Subscribers(
          removeAt(direct, index, new SubscriptionEntry[direct.length - 1]), groups);
    }

    private int groupIndex(String shareName) {
      for (int i = 0; i < groups.length; i++) {
        if (groups[i].shareName().equals(shareName)) {
          return i;
        }
      }
      return -1;
    }

    private int directIndex(String clientId) {
      for (int i = 0; i < direct.length; i++) {
        if (direct[i].clientId().equals(clientId)) {
          return i;
        }
      }
      return -1;
    }

    private static <E> E[] removeAt(E[] source, int index, E[] target) {
      System.arraycopy(source, 0, target, 0, index);
      System.arraycopy(source, index + 1, target, index, source.length - index - 1);
      return target;
    }
  }

  /** The reverse map entry of one client; guarded by its own lock. */
  private static final class ClientSubscriptions {
    final Map<String, SubscriptionEntry> byFilter = new LinkedHashMap<>();
    /** Set when the record has been removed from the map; a writer finding it retries. */
    boolean closed;
  }
}
