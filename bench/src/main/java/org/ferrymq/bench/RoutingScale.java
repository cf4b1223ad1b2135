package org.ferrymq.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.ferrymq.packet.QoS;
import org.ferrymq.packet.RetainHandling;
import org.ferrymq.topic.MatchSink;
import org.ferrymq.topic.SharedGroup;
import org.ferrymq.topic.SubscriptionEntry;
import org.ferrymq.topic.SubscriptionTree;

/**
 * In-process routing cost: nanoseconds per {@link SubscriptionTree#match} with S subscriptions in
 * the tree, for topics of several depths. Subscription i is {@code r/x/.../x/<i>} at one of the
 * depths, plus a few wildcard filters that every walk has to explore ({@code r/#}, {@code
 * r/+/#}, {@code +/x/+/x/#}); each matched topic hits exactly one exact filter and the wildcards,
 * so the work should follow the depth, not S.
 */
final class RoutingScale {
  static final int[] DEPTHS = {2, 4, 8, 16};
  private static final int TOPICS = 4096;
  private static final int ROUNDS = 7;
  private static final long ROUND_NANOS = 200_000_000L;

  private final BenchOptions o;

  RoutingScale(BenchOptions o) {
    this.o = o;
  }

  List<Result> run() {
    List<Result> results = new ArrayList<>();
    for (int subs : o.routingSubscriptions) {
      SubscriptionTree tree = new SubscriptionTree();
      for (int i = 0; i < subs; i++) {
        tree.subscribe(entry("c" + i, filter(DEPTHS[i % DEPTHS.length], i)));
      }
      for (String wildcard : List.of("r/#", "r/+/#", "+/x/+/x/#")) {
        tree.subscribe(entry("w-" + wildcard, wildcard));
      }
      for (int depth : DEPTHS) {
        String[] topics = new String[TOPICS];
        for (int t = 0; t < TOPICS; t++) {
          int i = Math.floorMod(t * 7919, Math.max(1, subs / DEPTHS.length)) * DEPTHS.length
              + indexOf(depth);
          topics[t] = filter(depth, i);
        }
        results.add(measure(tree, subs, depth, topics));
      }
    }
    return results;
  }

  private Result measure(SubscriptionTree tree, int subs, int depth, String[] topics) {
    Counter sink = new Counter();
    double[] nsPerMatch = new double[ROUNDS];
    for (int round = -2; round < ROUNDS; round++) {
      long n = 0;
      long t0 = System.nanoTime();
      long elapsed;
      do {
        for (String topic : topics) {
          tree.match(topic, sink);
        }
        n += topics.length;
        sink.calls += topics.length;
        elapsed = System.nanoTime() - t0;
      } while (elapsed < ROUND_NANOS);
      if (round >= 0) {
        nsPerMatch[round] = elapsed / (double) n;
      }
    }
    Arrays.sort(nsPerMatch);
    return new Result("routing", "in-process", "none")
        .put("subscriptions", subs)
        .put("depth", depth)
        .put("ns_per_match", nsPerMatch[ROUNDS / 2], 0)
        .put("matches_per_topic", sink.matches / Math.max(1, sink.calls), 1);
  }

  private static int indexOf(int depth) {
    for (int i = 0; i < DEPTHS.length; i++) {
      if (DEPTHS[i] == depth) {
        return i;
      }
    }
    throw new IllegalArgumentException("depth " + depth);
  }

  /** @return {@code r/x/.../<i>} with {@code depth} levels */
  static String filter(int depth, int i) {
    return "r" + "/x".repeat(depth - 2) + "/" + i;
  }

  private static SubscriptionEntry entry(String clientId, String filter) {
    return new SubscriptionEntry(clientId, filter, null, QoS.AT_MOST_ONCE, false, false,
        RetainHandling.SEND_ON_SUBSCRIBE, 0);
  }

  private static final class Counter implements MatchSink {
    long matches;
    long calls;

    @Override
    public void direct(SubscriptionEntry entry) {
      matches++;
    }

    @Override
    public void shared(SharedGroup group) {
      matches++;
    }
  }
}
