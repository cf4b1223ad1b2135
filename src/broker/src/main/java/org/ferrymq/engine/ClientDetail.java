package org.ferrymq.engine;

import java.util.List;
import org.ferrymq.topic.SubscriptionEntry;

/**
 * What the admin API shows about one session in detail, read on the session's lane.
 *
 * @param summary what the clients list shows
 * @param sessionExpirySeconds the session expiry interval in force; 0 ends the session with
 *     its connection, 4294967295 never expires
 * @param remoteAddress the peer's address and port, {@code null} while offline or in-process
 * @param queued messages waiting to be sent
 * @param inFlight messages sent and not yet acknowledged
 * @param subscriptions the session's subscriptions with their options
 */
public record ClientDetail(ClientSummary summary, long sessionExpirySeconds, String remoteAddress,
    int queued, int inFlight, List<SubscriptionEntry> subscriptions) {

  public ClientDetail {
    subscriptions = List.copyOf(subscriptions);
  }
}
