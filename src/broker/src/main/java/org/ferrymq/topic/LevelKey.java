package org.ferrymq.topic;

/**
 * A mutable view of one level of a topic, used to probe a {@code ConcurrentHashMap<String, ?>}
 * without allocating a substring per level. It hashes like {@link String#hashCode()} of the level
 * and {@code equals} a {@code String} with the same characters. {@code ConcurrentHashMap.get}
 * is specified to find the mapping whose key {@code k} satisfies {@code probe.equals(k)}, which is
 * the direction this one-sided equality supports. Never store a key in a map. Not thread-safe:
 * one instance per lookup walk.
 */
final class LevelKey {
  private String text;
  private int start;
  private int end;
  private int hash;

  /** Points this key at {@code text[start, end)} and returns it. */
  LevelKey set(String text, int start, int end) {
    this.text = text;
    this.start = start;
    this.end = end;
    int h = 0;
    for (int i = start; i < end; i++) {
      h = 31 * h + text.charAt(i);
    }
    this.hash = h;
    return this;
  }

  @Override
  public int hashCode() {
    return hash;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof String s && s.length() == end - start
        && text.regionMatches(start, s, 0, end - start);
  }

  @Override
  public String toString() {
    return text.substring(start, end);
  }
}
