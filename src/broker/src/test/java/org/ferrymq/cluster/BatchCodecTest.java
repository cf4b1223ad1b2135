package org.ferrymq.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.ferrymq.message.Message;
import org.ferrymq.packet.Properties;
import org.ferrymq.packet.Property;
import org.ferrymq.packet.QoS;
import org.ferrymq.persistence.common.RecordFormatException;
import org.junit.jupiter.api.Test;

/** Messages cross between nodes whole (MQTT 5 properties, expiry, origin) or not at all. */
class BatchCodecTest {

  @Test
  void aBatchRoundTripsEveryMessageInItsOrder() throws RecordFormatException {
    Properties props = Properties.builder().put(Property.CONTENT_TYPE, "text/plain")
        .put(Property.RESPONSE_TOPIC, "reply/to").userProperty("k", "v").build();
    List<Message> sent = List.of(
        new Message("a/b", bytes("one"), QoS.EXACTLY_ONCE, true, props, 1_900_000_000_000L,
            "publisher-1"),
        Message.of("a/c", new byte[0], QoS.AT_MOST_ONCE, false),
        new Message("a/d", bytes("three"), QoS.AT_LEAST_ONCE, false, Properties.EMPTY, 0,
            "publisher-2", 7));

    List<Message> received = BatchCodec.decode(BatchCodec.encode(sent));

    assertEquals(sent.size(), received.size());
    for (int i = 0; i < sent.size(); i++) {
      Message s = sent.get(i);
      Message r = received.get(i);
      assertEquals(s.topic(), r.topic());
      assertArrayEquals(s.payload(), r.payload());
      assertEquals(s.qos(), r.qos());
      assertEquals(s.retain(), r.retain());
      assertEquals(s.properties(), r.properties());
      assertEquals(s.expiresAtMillis(), r.expiresAtMillis());
      assertEquals(s.originClientId(), r.originClientId());
    }
  }

  @Test
  void aDamagedBatchIsRefusedRatherThanDelivered() {
    byte[] batch = BatchCodec.encode(List.of(Message.of("t", bytes("payload"), QoS.AT_LEAST_ONCE,
        false)));
    byte[] flipped = batch.clone();
    flipped[flipped.length - 3] ^= 0x20;

    assertThrows(RecordFormatException.class, () -> BatchCodec.decode(flipped));
    assertThrows(RecordFormatException.class,
        () -> BatchCodec.decode(Arrays.copyOf(batch, batch.length - 1)));
    assertThrows(RecordFormatException.class, () -> BatchCodec.decode(new byte[] {0, 0, 1, 0}));
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
