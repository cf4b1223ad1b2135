package org.ferrymq.engine;

/**
 * The key under which a cluster peer's subscriptions appear in the subscription index. It
 * begins with U+0001, which no MQTT string may contain [MQTT-1.5.4-2] (the codec refuses it):
 * no client id can equal it, and U+0000 marks in-process subscribers, so the engine tells the
 * three kinds of target apart by the first character.
 */
public final class PeerKey {
  /** First character of every peer key. */
  static final char MARK = '\u0001';

  private PeerKey() {
  }

  /** @return the index key of a peer node */
  public static String of(String node) {
    return MARK + node;
  }

  /** @return whether the index key names a peer node */
  public static boolean is(String key) {
    return !key.isEmpty() && key.charAt(0) == MARK;
  }

  /** @return the node id of a peer key */
  static String nodeOf(String key) {
    return key.substring(1);
  }
}
