package org.ferrymq.ra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.resource.spi.InvalidPropertyException;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class MqttActivationSpecTest {

  private final MqttActivationSpec sut = new MqttActivationSpec();

  @Test
  void defaultsRedeliverFiveTimesASecondApartThenToTheActivationsDeadLetterTopic()
      throws Exception {
    sut.validate();

    assertEquals(new RedeliveryPolicy(5, 1000, "$dlq/app/m.war/Bean"),
        sut.redeliveryPolicy("app#m.war#Bean"));
  }

  @Test
  void anExplicitDeadLetterTopicWins() throws Exception {
    sut.setTopicFilter("orders/#");
    sut.setDeadLetterTopic("failed/orders");
    sut.setMaxRedeliveries(0);
    sut.setRedeliveryDelay(0L);
    sut.validate();

    assertEquals(new RedeliveryPolicy(0, 0, "failed/orders"), sut.redeliveryPolicy("x"));
  }

  @Test
  void invalidSettingsAreRefusedNamingTheProperty() {
    assertRefused("maxRedeliveries", spec -> spec.setMaxRedeliveries(-1));
    assertRefused("maxRedeliveries", spec -> spec.setMaxRedeliveries(101));
    assertRefused("receiveMaximum", spec -> spec.setReceiveMaximum(0));
    assertRefused("receiveMaximum", spec -> spec.setReceiveMaximum(65_536));
    assertRefused("redeliveryDelay", spec -> spec.setRedeliveryDelay(-1L));
    assertRefused("redeliveryDelay", spec -> spec.setRedeliveryDelay(3_600_001L));
    assertRefused("deadLetterTopic", spec -> spec.setDeadLetterTopic("dead/#"));
    assertRefused("deadLetterTopic", spec -> spec.setDeadLetterTopic("failed/orders"));
    assertRefused("deadLetterTopic", spec -> {
      spec.setTopicFilter("$share/workers/orders/+");
      spec.setDeadLetterTopic("orders/dead");
    });
    assertRefused("topicFilter", spec -> spec.setTopicFilter("a/#/b"));
    assertRefused("qos", spec -> spec.setQos(3));
  }

  @Test
  void aBeanOnTheDeadLetterTopicsNeedsAnotherDeadLetterTopic() throws Exception {
    sut.setTopicFilter("$dlq/#");
    sut.validate();

    InvalidPropertyException e = assertThrows(InvalidPropertyException.class,
        () -> sut.redeliveryPolicy("app#m.war#Reader"));
    assertTrue(e.getMessage().startsWith("deadLetterTopic '$dlq/app/m.war/Reader'"),
        e.getMessage());

    sut.setDeadLetterTopic("failed/dead-letters");
    sut.validate();
    assertEquals("failed/dead-letters", sut.redeliveryPolicy("app#m.war#Reader").deadLetterTopic());
  }

  private static void assertRefused(String property, Consumer<MqttActivationSpec> breakIt) {
    MqttActivationSpec spec = new MqttActivationSpec();
    breakIt.accept(spec);
    InvalidPropertyException e = assertThrows(InvalidPropertyException.class, spec::validate);
    assertTrue(e.getMessage().startsWith(property), e.getMessage());
  }
}
