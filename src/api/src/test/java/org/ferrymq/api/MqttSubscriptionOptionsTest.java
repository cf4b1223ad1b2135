package org.ferrymq.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The options of an in-process subscription: the MDB's defaults, and ranges named when broken. */
class MqttSubscriptionOptionsTest {

  @Test
  void defaultsAreAMessageDrivenBeansAtQos1() {
    MqttSubscriptionOptions sut = MqttSubscriptionOptions.builder("a/#").sessionName("app/a")
        .build();

    assertEquals(1, sut.qos());
    assertEquals(Optional.of("app/a"), sut.sessionName());
    assertEquals(10, sut.receiveMaximum());
    assertEquals(5, sut.maxRedeliveries());
    assertEquals(1000, sut.redeliveryDelayMillis());
    assertEquals(Optional.empty(), sut.deadLetterTopic());
  }

  @Test
  void qos0NeedsNoSessionAndQos1Does() {
    assertEquals(Optional.empty(), MqttSubscriptionOptions.builder("a").qos(0).build()
        .sessionName());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> MqttSubscriptionOptions.builder("a").qos(2).build());
    assertTrue(e.getMessage().contains("sessionName"), e.getMessage());
  }

  @Test
  void outOfRangeValuesAreRefusedNamingTheOption() {
    MqttSubscriptionOptions.Builder b = MqttSubscriptionOptions.builder("a");
    assertNamed("qos", () -> b.qos(3));
    assertNamed("receiveMaximum", () -> b.receiveMaximum(0));
    assertNamed("maxRedeliveries", () -> b.maxRedeliveries(101));
    assertNamed("redeliveryDelayMillis", () -> b.redeliveryDelayMillis(-1));
    assertNamed("sessionName", () -> b.sessionName(""));
  }

  private static void assertNamed(String option, Runnable breakIt) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, breakIt::run);
    assertTrue(e.getMessage().startsWith(option), e.getMessage());
  }
}
