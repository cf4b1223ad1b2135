package org.ferrymq.codec.decoder;

import static org.ferrymq.codec.MalformedPacketException.malformed;
import static org.ferrymq.codec.MalformedPacketException.protocolError;

import java.nio.ByteBuffer;
import org.ferrymq.codec.DecoderContext;
import org.ferrymq.codec.MalformedPacketException;
import org.ferrymq.codec.wire.Decoding;
import org.ferrymq.codec.wire.PropertiesReader;
import org.ferrymq.codec.wire.Utf8;
import org.ferrymq.packet.PacketType;
import org.ferrymq.packet.Properties;
import org.ferrymq.packet.Property;
import org.ferrymq.packet.Publish;
import org.ferrymq.packet.QoS;
import org.ferrymq.packet.ReasonCode;

/**
 * PUBLISH (section 3.3), the hot path: one pass over the topic, one copy of the payload into
 * its own array, no other allocation for a packet without properties. Topic Alias resolution
 * and the Topic Alias Maximum check need session state and belong to the engine.
 */
public final class PublishDecoder implements PacketDecoder {
  public static final PublishDecoder INSTANCE = new PublishDecoder();

  private PublishDecoder() {
  }

  @Override
  public Publish decode(int flags, ByteBuffer body, DecoderContext ctx)
      throws MalformedPacketException {
    int qosBits = (flags >> 1) & 0x03;
    if (qosBits == 3) {
      throw malformed("[MQTT-3.3.1-4] PUBLISH must not have both QoS bits set");
    }
    boolean dup = (flags & 0x08) != 0;
    if (dup && qosBits == 0) {
      throw malformed("[MQTT-3.3.1-2] DUP must be 0 for QoS 0");
    }
    boolean v5 = ctx.version().isV5();
    String topic = Decoding.readString(body, "topic name");
    int packetId = qosBits == 0 ? 0 : Decoding.readPacketId(body);
    Properties props = v5 ? PropertiesReader.read(body, PacketType.PUBLISH) : Properties.EMPTY;
    if (props != Properties.EMPTY) {
      checkProperties(props, ctx);
    }
    if (topic.isEmpty() && !props.has(Property.TOPIC_ALIAS)) {
      if (v5) {
        throw protocolError("[MQTT-3.3.2-1] zero-length Topic Name without Topic Alias");
      }
      throw malformed("[MQTT-4.7.3-1] topic name must be at least one character");
    }
    byte[] payload = Decoding.readRest(body);
    if (props.intOr(Property.PAYLOAD_FORMAT_INDICATOR, 0) == 1 && !Utf8.isWellFormed(payload)) {
      throw new MalformedPacketException(ReasonCode.PAYLOAD_FORMAT_INVALID,
          "Payload is not well-formed UTF-8 although Payload Format Indicator is 1"
              + " (spec 3.3.2.3.2)");
    }
    try {
      // The record validates the topic name; its only other checks were done above.
      return new Publish(topic, payload, QoS.of(qosBits), (flags & 0x01) != 0, dup, packetId,
          props);
    } catch (IllegalArgumentException e) {
      throw new MalformedPacketException(ReasonCode.TOPIC_NAME_INVALID,
          "[MQTT-3.3.2-2] " + e.getMessage());
    }
  }

  private static void checkProperties(Properties props, DecoderContext ctx)
      throws MalformedPacketException {
    if (ctx.serverSide() && props.has(Property.SUBSCRIPTION_IDENTIFIER)) {
      throw protocolError("[MQTT-3.3.4-6] a PUBLISH from a Client must not contain a"
          + " Subscription Identifier");
    }
  }
}
