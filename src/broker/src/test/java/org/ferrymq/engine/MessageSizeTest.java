package org.ferrymq.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import org.ferrymq.message.Message;
import org.ferrymq.packet.Properties;
import org.ferrymq.packet.Property;
import org.ferrymq.packet.QoS;
import org.junit.jupiter.api.Test;

/** What queue and retained-message bounds count for one message. */
class MessageSizeTest {

  @Test
  void sizeCountsPayloadTopicAndEveryStoredProperty() {
    Properties props = Properties.builder()
        .userProperty("k", "vvv")                        // 1 id + 2+1 name + 2+3 value = 9
        .put(Property.CONTENT_TYPE, "text")              // 1 id + 2+4 = 7
        .put(Property.CORRELATION_DATA, new byte[10])    // 1 id + 2+10 = 13
        .put(Property.PAYLOAD_FORMAT_INDICATOR, 1)       // 1 id + 4 = 5
        .build();

    // Exercise
    Message sut = new Message("a/b", "12345".getBytes(StandardCharsets.UTF_8), QoS.AT_LEAST_ONCE,
        false, props, 0, "c");

    // Verify
    assertEquals(34, props.sizeInBytes());
    assertEquals(5 + 3 + 34, sut.sizeInBytes());
    assertEquals(0, Properties.EMPTY.sizeInBytes());
  }

  @Test
  void multiByteCharactersCountAsTheirUtf8Bytes() {
    Properties props = Properties.builder().userProperty("é", "€").build();

    assertEquals(1 + 2 + 2 + 2 + 3, props.sizeInBytes());
  }
}
