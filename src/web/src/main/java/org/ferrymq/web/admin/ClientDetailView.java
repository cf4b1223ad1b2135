package org.ferrymq.web.admin;

import java.time.Instant;
import java.util.List;
import org.ferrymq.engine.ClientDetail;
import org.ferrymq.topic.SubscriptionEntry;

/**
 * One session in detail as JSON.
 *
 * @param clientId the client identifier
 * @param connected whether a network connection is attached
 * @param transport the listener kind: tcp, tls, ws, wss or local; {@code null} while offline
 * @param remoteAddress the peer's address and port; {@code null} while offline
 * @param protocol "3.1", "3.1.1" or "5"
 * @param connectedSince when the current connection was accepted; {@code null} while offline
 * @param username the authenticated user, {@code null} when anonymous
 * @param sessionExpirySeconds 0 ends the session with its connection; 4294967295 never
 * @param queued messages waiting to be sent
 * @param inFlight messages sent and not yet acknowledged
 * @param subscriptions the session's subscriptions
 */
public record ClientDetailView(String clientId, boolean connected, String transport,
    String remoteAddress, String protocol, Instant connectedSince, String username,
    long sessionExpirySeconds, int queued, int inFlight, List<SubscriptionView> subscriptions) {

  /**
   * One subscription with its options.
   *
   * @param filter the topic filter, without a {@code $share} prefix
   * @param sharedGroup the shared subscription's group, {@code null} when not shared
   * @param qos the maximum QoS granted
   * @param noLocal MQTT 5 No Local
   * @param retainAsPublished MQTT 5 Retain As Published
   * @param retainHandling MQTT 5 Retain Handling: 0 send at subscribe, 1 only if new, 2 never
   * @param subscriptionIdentifier MQTT 5 subscription identifier, 0 for none
   */
  public record SubscriptionView(String filter, String sharedGroup, int qos, boolean noLocal,
      boolean retainAsPublished, int retainHandling, int subscriptionIdentifier) {

    static SubscriptionView of(SubscriptionEntry e) {
      return new SubscriptionView(e.filter(), e.shareName(), e.maxQos().value(), e.noLocal(),
          e.retainAsPublished(), e.retainHandling().value(), e.subscriptionIdentifier());
    }
  }

  static ClientDetailView of(ClientDetail d) {
    ClientsResource.ClientView v = ClientsResource.ClientView.of(d.summary());
    return new ClientDetailView(v.clientId(), v.connected(), v.transport(), d.remoteAddress(),
        v.protocol(), v.connectedSince(), v.username(), d.sessionExpirySeconds(), d.queued(),
        d.inFlight(), d.subscriptions().stream().map(SubscriptionView::of).toList());
  }
}
