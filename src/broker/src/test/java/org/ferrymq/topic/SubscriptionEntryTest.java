package org.ferrymq.topic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.ferrymq.packet.QoS;
import org.ferrymq.packet.RetainHandling;
import org.ferrymq.packet.Subscription;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SubscriptionEntryTest {

  @Test
  void ofSplitsSharedFilterAndKeepsOptions() {
    Subscription subscription = new Subscription("$share/group/a/+/#", QoS.EXACTLY_ONCE, false,
        true, RetainHandling.DO_NOT_SEND);

    // Exercise
    SubscriptionEntry sut = SubscriptionEntry.of("c", subscription, 9);

    // Verify
    assertEquals(new SubscriptionEntry("c", "a/+/#", "group", QoS.EXACTLY_ONCE, false, true,
        RetainHandling.DO_NOT_SEND, 9), sut);
    assertTrue(sut.isShared());
    assertEquals("$share/group/a/+/#", sut.fullFilter());
  }

  @ParameterizedTest
  @ValueSource(strings = {"a/b", "#", "/", "$SYS/#", "$shared/x"})
  void ofKeepsPlainFilter(String filter) {
    // Exercise
    SubscriptionEntry sut =
        SubscriptionEntry.of("c", new Subscription(filter, QoS.AT_MOST_ONCE), 0);

    // Verify
    assertEquals(filter, sut.filter());
    assertNull(sut.shareName());
    assertFalse(sut.isShared());
    assertEquals(filter, sut.fullFilter());
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "g/h", "g+", "g#"})
  void invalidShareNameIsRejected(String shareName) {
    // Exercise / Verify
    assertThrows(IllegalArgumentException.class, () -> new SubscriptionEntry("c", "a", shareName,
        QoS.AT_MOST_ONCE, false, false, RetainHandling.SEND_ON_SUBSCRIBE, 0));
  }

  @Test
  void sharePrefixInsidePlainFilterIsRejected() {
    // Exercise / Verify
    assertThrows(IllegalArgumentException.class, () -> new SubscriptionEntry("c", "$share/g/a",
        null, QoS.AT_MOST_ONCE, false, false, RetainHandling.SEND_ON_SUBSCRIBE, 0));
  }

  @ParameterizedTest
  @ValueSource(ints = {-1, SubscriptionEntry.MAX_SUBSCRIPTION_IDENTIFIER + 1})
  void subscriptionIdentifierOutOfRangeIsRejected(int identifier) {
    // Exercise / Verify
    assertThrows(IllegalArgumentException.class, () -> new SubscriptionEntry("c", "a", null,
        QoS.AT_MOST_ONCE, false, false, RetainHandling.SEND_ON_SUBSCRIBE, identifier));
  }

  @Test
  void largestSubscriptionIdentifierIsAccepted() {
    // Exercise
    SubscriptionEntry sut = new SubscriptionEntry("c", "a", null, QoS.AT_MOST_ONCE, false, false,
        RetainHandling.SEND_ON_SUBSCRIBE, SubscriptionEntry.MAX_SUBSCRIPTION_IDENTIFIER);

    // Verify
    assertEquals(SubscriptionEntry.MAX_SUBSCRIPTION_IDENTIFIER, sut.subscriptionIdentifier());
  }
}
