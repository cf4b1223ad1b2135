package org.ferrymq.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import org.ferrymq.message.Message;
import org.ferrymq.packet.Properties;
import org.ferrymq.packet.QoS;
import org.ferrymq.packet.RetainHandling;
import org.ferrymq.topic.SubscriptionEntry;

/**
 * What every durable backend (mvstore, jdbc) must keep across a close and a reopen, written once:
 * sessions with their subscriptions and pending packet ids, one session deleted with its queue;
 * queued and in-flight deliveries in sequence order with their state and properties, one removed
 * and one replaced; a client whose id is a prefix of another's; an application's durable
 * session, whose key begins with U+0000 (which PostgreSQL's text columns refuse); retained
 * messages, one removed.
 */
public final class ReopenScenario {

  /** The key form of an application's durable session (engine.InProcessSessions). */
  private static final String APPLICATION = "\u0000session/app/module.war/Bean";

  private ReopenScenario() {
  }

  /** Writes the scenario into an open store; the caller then closes it. */
  public static void write(Persistence store) {
    store.sessions().save(session("a"));
    store.sessions().save(session("b"));
    store.sessions().save(session("gone"));
    store.sessions().save(session(APPLICATION));
    store.queues().put(APPLICATION, delivery(7, "for the bean", DeliveryState.AWAITING_ACK));
    store.queues().put("a", delivery(1, "one", DeliveryState.QUEUED));
    store.queues().put("a", delivery(2, "two", DeliveryState.QUEUED));
    store.queues().put("a", delivery(3, "three", DeliveryState.QUEUED));
    store.queues().put("a", delivery(2, "two", DeliveryState.AWAITING_PUBCOMP));
    store.queues().remove("a", 1);
    store.queues().put("ab", delivery(1, "other client", DeliveryState.QUEUED));
    store.queues().put("gone", delivery(1, "dropped", DeliveryState.QUEUED));
    store.sessions().delete("gone");
    store.retained().put(Message.of("r/1", "kept".getBytes(StandardCharsets.UTF_8),
        QoS.AT_LEAST_ONCE, true));
    store.retained().put(Message.of("r/2", "removed".getBytes(StandardCharsets.UTF_8),
        QoS.AT_LEAST_ONCE, true));
    store.retained().remove("r/2");
  }

  /** Checks a store reopened on what {@link #write} left. */
  public static void assertKept(Persistence reopened) {
    assertEquals(Set.of(session("a"), session("b"), session(APPLICATION)),
        Set.copyOf(reopened.sessions().loadSessions()));
    assertEquals("for the bean:AWAITING_ACK", payloads(reopened.queues().load(APPLICATION)));
    List<StoredDelivery> a = reopened.queues().load("a");
    assertEquals("two:AWAITING_PUBCOMP three:QUEUED", payloads(a));
    assertEquals("two", a.get(0).message().properties().userProperties().get(0).value(),
        "properties kept");
    assertEquals("other client:QUEUED", payloads(reopened.queues().load("ab")));
    assertEquals(List.of(), reopened.queues().load("gone"));
    List<Message> retained = reopened.retained().loadRetained();
    assertEquals(1, retained.size());
    assertEquals("r/1", retained.get(0).topic());
    assertEquals("kept", new String(retained.get(0).payload(), StandardCharsets.UTF_8));
  }

  private static StoredSession session(String clientId) {
    return new StoredSession(clientId, 5, 3_600, 1_000, List.of(new SubscriptionEntry(clientId,
        "t/#", "g", QoS.EXACTLY_ONCE, false, false, RetainHandling.SEND_ON_SUBSCRIBE, 0)),
        Set.of(42));
  }

  private static StoredDelivery delivery(long seq, String payload, DeliveryState state) {
    Message m = new Message("t/" + seq, payload.getBytes(StandardCharsets.UTF_8),
        QoS.EXACTLY_ONCE, false, Properties.builder().userProperty("n", payload).build(), 0,
        "pub");
    return new StoredDelivery(seq, m, QoS.EXACTLY_ONCE, false, List.of(), null,
        state == DeliveryState.QUEUED ? 0 : (int) seq, state);
  }

  private static String payloads(List<StoredDelivery> deliveries) {
    return String.join(" ", deliveries.stream().map(d -> new String(d.message().payload(),
        StandardCharsets.UTF_8) + ":" + d.state()).toList());
  }
}
