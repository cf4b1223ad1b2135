package org.ferrymq.engine;

import java.util.HashMap;
import java.util.Map;

/**
 * MQTT 5 topic aliases of one connection, in both directions (spec 3.3.2.3.4). Aliases live as
 * long as the network connection, never in the session [MQTT-3.3.2-7].
 */
final class TopicAliases {
  private final Map<Integer, String> inbound = new HashMap<>();
  private final Map<String, Integer> outbound = new HashMap<>();
  private int clientMaximum;
  private int lastAssigned;

  /** Sets the client's Topic Alias Maximum from CONNECT (0: the server must not send aliases). */
  void clientMaximum(int value) {
    clientMaximum = value;
    outbound.clear();
    inbound.clear();
    lastAssigned = 0;
  }

  /** Records or resolves an inbound alias; returns the topic, or null if the alias is unknown. */
  String resolveInbound(int alias, String topic) {
    if (topic.isEmpty()) {
      return inbound.get(alias);
    }
    inbound.put(alias, topic);
    return topic;
  }

  /**
   * Chooses the alias for an outbound topic.
   *
   * @return a positive alias already known to the client (send an empty topic), a negative alias
   *     just assigned (send topic and alias), or 0 for no alias
   */
  int outboundAlias(String topic, int serverMaximum) {
    Integer known = outbound.get(topic);
    if (known != null) {
      return known;
    }
    if (lastAssigned >= Math.min(clientMaximum, serverMaximum)) {
      return 0;
    }
    lastAssigned++;
    outbound.put(topic, lastAssigned);
    return -lastAssigned;
  }

  /** Takes back the alias just assigned when its announcing PUBLISH could not be sent. */
  void unassign(String topic) {
    if (outbound.remove(topic) != null) {
      lastAssigned--;
    }
  }
}
