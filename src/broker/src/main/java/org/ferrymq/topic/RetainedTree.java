package org.ferrymq.topic;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;

/**
 * A concurrent map from topic name to value (the engine's retained messages) that answers which
 * stored topics a filter matches, with the rules in the header comment of
 * {@code SubscriptionTree.java}, $-rule included.
 *
 * <p>Concurrency policy: {@link #get}, {@link #forEachMatching} and {@link #forEach} never lock.
 * The trie's children live in {@link ConcurrentHashMap}s and each node's value in a volatile
 * field. {@link #put} and {@link #remove} lock the node they change; pruning locks a parent, then
 * its child, and marks detached nodes so that a racing {@code put} retries instead of writing into
 * a detached node (the scheme of {@link SubscriptionTree}). Iterations are weakly consistent: they
 * report every entry present for their whole duration and may or may not report entries changed
 * meanwhile. Callbacks run with no lock held and may modify the tree. All walks are iterative, so
 * deep topics cannot overflow the stack.
 *
 * @param <T> the stored value type
 */
public final class RetainedTree<T> {
  /** Frame marker: report the node and its whole subtree. */
  private static final int SUBTREE = -1;

  private final Node<T> root = new Node<>(null, "");
  private final AtomicInteger size = new AtomicInteger();

  /** Creates an empty tree. */
  public RetainedTree() {
  }

  /**
   * Stores a value for a topic name, replacing any previous one.
   *
   * @param topic a valid topic name
   * @param value the value, not {@code null}
   * @return the previous value, or {@code null}
   * @throws IllegalArgumentException if the topic name is invalid
   */
  public T put(String topic, T value) {
    Topics.requireValidName(topic);
    Objects.requireNonNull(value, "value");
    Item<T> item = new Item<>(topic, value);
    while (true) {
      Node<T> node = find(topic, true);
      if (node == null) {
        continue;
      }
      synchronized (node) {
        if (node.removed) {
          continue;
        }
        Item<T> previous = node.item;
        node.item = item;
        if (previous == null) {
          size.incrementAndGet();
          return null;
        }
        return previous.value();
      }
    }
  }

  /**
   * Removes the value of a topic name and prunes nodes left empty.
   *
   * @param topic a topic name
   * @return the removed value, or {@code null} if there was none
   */
  public T remove(String topic) {
    Node<T> node = find(topic, false);
    if (node == null) {
      return null;
    }
    Item<T> previous;
    synchronized (node) {
      previous = node.item;
      if (previous == null) {
        return null;
      }
      node.item = null;
      size.decrementAndGet();
    }
    prune(node);
    return previous.value();
  }

  /**
   * @param topic a topic name
   * @return the value stored for exactly this topic name, or {@code null}
   */
  public T get(String topic) {
    Node<T> node = find(topic, false);
    if (node == null) {
      return null;
    }
    Item<T> item = node.item;
    return item == null ? null : item.value();
  }

  /**
   * Reports every stored topic the filter matches, in no particular order.
   *
   * @param filter a valid plain topic filter (strip {@code $share/<name>/} first)
   * @param action receives topic name and value
   * @throws IllegalArgumentException if the filter is invalid or shared
   */
  public void forEachMatching(String filter, BiConsumer<String, T> action) {
    Topics.requireValidFilter(filter);
    if (Topics.isShared(filter)) {
      throw new IllegalArgumentException("pass the filter without its $share prefix: " + filter);
    }
    Objects.requireNonNull(action, "action");
    Deque<Frame<T>> pending = new ArrayDeque<>();
    pending.push(new Frame<>(root, 0));
    LevelKey key = new LevelKey();
    while (!pending.isEmpty()) {
      Frame<T> frame = pending.pop();
      Node<T> node = frame.node();
      int start = frame.start();
      if (start == SUBTREE || start > filter.length()) {
        report(node, action);
        if (start == SUBTREE) {
          pushChildren(pending, node, SUBTREE);
        }
        continue;
      }
      int end = TopicMatcher.levelEnd(filter, start);
      boolean singleChar = end - start == 1;
      if (singleChar && filter.charAt(start) == '#') {
        report(node, action);
        pushChildren(pending, node, SUBTREE);
      } else if (singleChar && filter.charAt(start) == '+') {
        pushChildren(pending, node, end + 1);
      } else {
        Node<T> child = node.children.get(key.set(filter, start, end));
        if (child != null) {
          pending.push(new Frame<>(child, end + 1));
        }
      }
    }
  }

  /**
   * Reports every stored entry, in no particular order.
   *
   * @param action receives topic name and value
   */
  public void forEach(BiConsumer<String, T> action) {
    Objects.requireNonNull(action, "action");
    Deque<Node<T>> pending = new ArrayDeque<>();
    pending.push(root);
    while (!pending.isEmpty()) {
      Node<T> node = pending.pop();
      report(node, action);
      node.children.values().forEach(pending::push);
    }
  }

  /** @return the number of stored topics */
  public int size() {
    return size.get();
  }

  /** @return the number of trie nodes including the root, for pruning tests */
  int nodeCount() {
    int[] count = new int[1];
    Deque<Node<T>> pending = new ArrayDeque<>();
    pending.push(root);
    while (!pending.isEmpty()) {
      Node<T> node = pending.pop();
      count[0]++;
      node.children.values().forEach(pending::push);
    }
    return count[0];
  }

  /** Pushes the children of a node; at the root wildcards skip $-topics [MQTT-4.7.2-1]. */
  private void pushChildren(Deque<Frame<T>> pending, Node<T> node, int start) {
    for (Node<T> child : node.children.values()) {
      if (node != root || !child.level.startsWith("$")) {
        pending.push(new Frame<>(child, start));
      }
    }
  }

  private static <T> void report(Node<T> node, BiConsumer<String, T> action) {
    Item<T> item = node.item;
    if (item != null) {
      action.accept(item.topic(), item.value());
    }
  }

  /**
   * Walks to the node of a topic name.
   *
   * @param create whether to create missing nodes
   * @return the node; {@code null} if missing and not creating, or if creating ran into a node
   *     pruned concurrently (retry then)
   */
  private Node<T> find(String topic, boolean create) {
    Node<T> node = root;
    LevelKey key = new LevelKey();
    int start = 0;
    while (start <= topic.length()) {
      int end = TopicMatcher.levelEnd(topic, start);
      Node<T> child = node.children.get(key.set(topic, start, end));
      if (child == null) {
        if (!create) {
          return null;
        }
        child = createChild(node, topic.substring(start, end));
        if (child == null) {
          return null;
        }
      }
      node = child;
      start = end + 1;
    }
    return node;
  }

  private static <T> Node<T> createChild(Node<T> parent, String level) {
    synchronized (parent) {
      if (parent.removed) {
        return null;
      }
      return parent.children.computeIfAbsent(level, l -> new Node<>(parent, l));
    }
  }

  private void prune(Node<T> node) {
    for (Node<T> current = node; current.parent != null; current = current.parent) {
      Node<T> parent = current.parent;
      synchronized (parent) {
        synchronized (current) {
          if (current.removed || current.item != null || !current.children.isEmpty()) {
            return;
          }
          current.removed = true;
          parent.children.remove(current.level, current);
        }
      }
    }
  }

  private record Item<T>(String topic, T value) {
  }

  private record Frame<T>(Node<T> node, int start) {
  }

  private static final class Node<T> {
    final Node<T> parent;
    final String level;
    final ConcurrentHashMap<String, Node<T>> children = new ConcurrentHashMap<>(2);
    /** Written under this node's lock. */
    volatile Item<T> item;
    /** Set once, under the parent's and this node's lock, when the node is detached. */
    boolean removed;

    Node(Node<T> parent, String level) {
      this.parent = parent;
      this.level = level;
    }
  }
}
