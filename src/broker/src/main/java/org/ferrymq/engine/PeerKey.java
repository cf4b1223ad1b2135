package org.ferrymq.engine;

/**
 * The key under which a cluster peer's subscriptions appear in the subscription index: U+0000,
 * {@code "peer:"}, then the node id. No MQTT string may contain U+0000 [MQTT-1.5.4-2] and the
 * codec refuses it in every CONNECT, so no client id can equal a peer key (nor an in-process
 * subscriber's key, which starts with U+0000 too but never with this prefix).
 */
public final class PeerKey {
  private static final String PREFIX = InProcessSubscribers.KEY_MARK + "peer:";

  private PeerKey() {
  }

  /** @return the index key of a peer node */
  public static String of(String node) {
    return PREFIX + node;
  }

  /** @return whether the index key names a peer node */
  public static boolean is(String key) {
    return key.startsWith(PREFIX);
  }

  /** @return the node id of a peer key */
  static String nodeOf(String key) {
    return key.substring(PREFIX.length());
  }
}
