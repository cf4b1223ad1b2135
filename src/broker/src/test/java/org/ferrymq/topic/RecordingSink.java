package org.ferrymq.topic;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/** Collects what {@link SubscriptionIndex#match} reports. Not thread-safe: one per match. */
final class RecordingSink implements MatchSink {
  final List<SubscriptionEntry> direct = new ArrayList<>();
  final List<SharedGroup> shared = new ArrayList<>();

  @Override
  public void direct(SubscriptionEntry entry) {
    direct.add(entry);
  }

  @Override
  public void shared(SharedGroup group) {
    shared.add(group);
  }

  static RecordingSink match(SubscriptionIndex index, String topic) {
    RecordingSink sink = new RecordingSink();
    index.match(topic, sink);
    return sink;
  }

  /** @return "clientId:fullFilter" of every direct entry and "$share/name/filter" of each group */
  List<String> keys() {
    return keys(false);
  }

  /** @return like {@link #keys()}, with each group followed by its sorted member client ids */
  List<String> keysWithMembers() {
    return keys(true);
  }

  private List<String> keys(boolean withMembers) {
    List<String> keys = new ArrayList<>();
    direct.forEach(e -> keys.add(e.clientId() + ':' + e.fullFilter()));
    for (SharedGroup group : shared) {
      String key = Topics.SHARE_PREFIX + group.shareName() + '/' + group.filter();
      if (withMembers) {
        key += new TreeSet<>(group.members().stream().map(SubscriptionEntry::clientId).toList());
      }
      keys.add(key);
    }
    return keys;
  }

  /** @return whether the client's subscription with this full filter was reported */
  boolean reports(String clientId, String fullFilter) {
    return direct.stream().anyMatch(e -> e.clientId().equals(clientId)
            && e.fullFilter().equals(fullFilter))
        || shared.stream().flatMap(g -> g.members().stream()).anyMatch(
            e -> e.clientId().equals(clientId) && e.fullFilter().equals(fullFilter));
  }
}
