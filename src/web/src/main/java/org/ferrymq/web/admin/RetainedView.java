package org.ferrymq.web.admin;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.ferrymq.message.Message;

/**
 * One retained message as JSON.
 *
 * @param topic the topic it is retained on
 * @param payload the payload as text when it is valid UTF-8, else base64
 * @param encoding {@code text} or {@code base64}: how {@code payload} is written
 * @param qos the QoS it was published with
 * @param size the payload's size in bytes
 */
public record RetainedView(String topic, String payload, String encoding, int qos, int size) {

  static RetainedView of(Message m) {
    byte[] bytes = m.payload();
    try {
      String text = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes)).toString();
      return new RetainedView(m.topic(), text, PayloadEncoding.TEXT.label(), m.qos().value(),
          bytes.length);
    } catch (CharacterCodingException e) {
      return new RetainedView(m.topic(), Base64.getEncoder().encodeToString(bytes),
          PayloadEncoding.BASE64.label(), m.qos().value(), bytes.length);
    }
  }
}
