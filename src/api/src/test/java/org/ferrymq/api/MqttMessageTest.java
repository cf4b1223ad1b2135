package org.ferrymq.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class MqttMessageTest {

  @Test
  void keepsEveryValueAndTheOrderOfRepeatedUserProperties() {
    MqttMessage sut = MqttMessage.builder("a/b").payload(new byte[] {1, 2}).qos(2).retained(true)
        .userProperty("k", "1").userProperty("k", "2").contentType("text/plain")
        .responseTopic("reply/to").correlationData(new byte[] {9}).messageExpiryInterval(60)
        .build();

    assertEquals("a/b", sut.topic());
    assertArrayEquals(new byte[] {1, 2}, sut.payload());
    assertEquals(2, sut.qos());
    assertTrue(sut.retained());
    assertEquals(List.of(new UserProperty("k", "1"), new UserProperty("k", "2")),
        sut.userProperties());
    assertEquals("text/plain", sut.contentType().orElseThrow());
    assertEquals("reply/to", sut.responseTopic().orElseThrow());
    assertArrayEquals(new byte[] {9}, sut.correlationData().orElseThrow());
    assertEquals(OptionalLong.of(60), sut.messageExpiryInterval());
  }

  @Test
  void byteArraysAreCopiedInAndOut() {
    byte[] payload = {1};
    byte[] correlation = {2};
    MqttMessage sut = MqttMessage.builder("t").payload(payload).correlationData(correlation)
        .build();

    payload[0] = 7;
    correlation[0] = 7;
    sut.payload()[0] = 8;
    sut.correlationData().orElseThrow()[0] = 8;

    assertArrayEquals(new byte[] {1}, sut.payload());
    assertArrayEquals(new byte[] {2}, sut.correlationData().orElseThrow());
  }

  @Test
  void aMessageWithoutPropertiesHasNone() {
    MqttMessage sut = MqttMessage.builder("t").build();

    assertEquals(0, sut.qos());
    assertEquals(0, sut.payload().length);
    assertTrue(sut.userProperties().isEmpty());
    assertTrue(sut.contentType().isEmpty());
    assertTrue(sut.responseTopic().isEmpty());
    assertTrue(sut.correlationData().isEmpty());
    assertTrue(sut.messageExpiryInterval().isEmpty());
  }

  @Test
  void refusesValuesMqttCannotCarry() {
    MqttMessage.Builder sut = MqttMessage.builder("t");

    assertThrows(IllegalArgumentException.class, () -> sut.qos(3));
    assertThrows(IllegalArgumentException.class, () -> sut.qos(-1));
    assertThrows(IllegalArgumentException.class,
        () -> sut.messageExpiryInterval(MqttMessage.MAX_EXPIRY_INTERVAL + 1));
    assertThrows(NullPointerException.class, () -> MqttMessage.builder(null));
  }

  @Test
  void toBuilderCopiesEveryValue() {
    MqttMessage original = MqttMessage.builder("t").payload(new byte[] {3}).qos(1)
        .userProperty("a", "b").contentType("c").responseTopic("r")
        .correlationData(new byte[] {4}).messageExpiryInterval(5).build();

    MqttMessage sut = original.toBuilder().retained(true).build();

    assertTrue(sut.retained());
    assertEquals(original.userProperties(), sut.userProperties());
    assertEquals(original.contentType(), sut.contentType());
    assertEquals(original.responseTopic(), sut.responseTopic());
    assertArrayEquals(original.correlationData().orElseThrow(),
        sut.correlationData().orElseThrow());
    assertEquals(original.messageExpiryInterval(), sut.messageExpiryInterval());
    assertEquals(1, sut.qos());
  }
}
