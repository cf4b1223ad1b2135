package org.ferrymq.codec.wire;

import static org.ferrymq.codec.MalformedPacketException.malformed;
import static org.ferrymq.codec.MalformedPacketException.protocolError;

import java.nio.ByteBuffer;
import org.ferrymq.codec.MalformedPacketException;
import org.ferrymq.packet.PacketType;
import org.ferrymq.packet.Properties;
import org.ferrymq.packet.Property;
import org.ferrymq.packet.ReasonCode;
import org.ferrymq.topic.Topics;

/**
 * Reads an MQTT 5 property block (section 2.2.2): Property Length, then identifier/value pairs.
 *
 * <p>Rules applied here because they hold in every packet: an unknown identifier or one not
 * allowed in the packet is a Malformed Packet (2.2.2.2); a single-valued property given twice is
 * a Protocol Error; and the value rules of section 3 (0/1 bytes, non-zero Receive Maximum,
 * Maximum Packet Size, Subscription Identifier and Topic Alias, Response Topic without
 * wildcards, Authentication Data only with an Authentication Method). Packet-specific rules stay
 * in the packet decoders.
 */
public final class PropertiesReader {
  private PropertiesReader() {
  }

  /**
   * Reads the property block at the body's position.
   *
   * @param packetType the packet the block belongs to, or {@code null} for CONNECT's Will
   *     Properties
   * @return the properties, {@link Properties#EMPTY} when the block is empty
   */
  public static Properties read(ByteBuffer body, PacketType packetType)
      throws MalformedPacketException {
    String where = packetType == null ? "Will Properties" : packetType + " properties";
    int length = Decoding.readVariableByteInteger(body, where + " length");
    if (length == 0) {
      return Properties.EMPTY;
    }
    if (length > body.remaining()) {
      throw malformed(where + " length " + length + " exceeds the " + body.remaining()
          + " bytes left in the packet");
    }
    int end = body.position() + length;
    int packetLimit = body.limit();
    body.limit(end);
    Properties.Builder b = Properties.builder();
    try {
      while (body.hasRemaining()) {
        readOne(body, packetType, where, b);
      }
    } finally {
      body.limit(packetLimit);
    }
    if (b.has(Property.AUTHENTICATION_DATA) && !b.has(Property.AUTHENTICATION_METHOD)) {
      throw protocolError("Authentication Data without Authentication Method in " + where
          + " (spec 3.1.2.11.10)");
    }
    return b.build();
  }

  private static void readOne(ByteBuffer body, PacketType packetType, String where,
      Properties.Builder b) throws MalformedPacketException {
    // Identifiers are Variable Byte Integers, but all defined ones fit one byte; a longer one is
    // unknown anyway.
    int id = body.get() & 0xFF;
    Property p = Property.of(id);
    if (p == null) {
      throw malformed(String.format("unknown property identifier 0x%02X in %s (spec 2.2.2.2)",
          id, where));
    }
    if (packetType == null ? !p.allowedInWill() : !p.allowedIn(packetType)) {
      throw malformed(p + " is not allowed in " + where + " (spec 2.2.2.2)");
    }
    if (!p.repeatable() && b.has(p)) {
      throw protocolError("It is a Protocol Error to include " + p + " more than once in "
          + where);
    }
    String name = p.toString();
    switch (p.type()) {
      case BYTE -> b.put(p, checkByte(p, Decoding.readUnsignedByte(body, name)));
      case TWO_BYTE_INTEGER -> b.put(p, checkTwoByte(p, Decoding.readUnsignedShort(body, name)));
      case FOUR_BYTE_INTEGER -> {
        long v = Decoding.readUnsignedInt(body, name);
        if (p == Property.MAXIMUM_PACKET_SIZE && v == 0) {
          throw protocolError("It is a Protocol Error for Maximum Packet Size to be 0"
              + " (spec 3.1.2.11.4)");
        }
        b.put(p, v);
      }
      case VARIABLE_BYTE_INTEGER -> {
        int v = Decoding.readVariableByteInteger(body, name);
        if (p == Property.SUBSCRIPTION_IDENTIFIER && v == 0) {
          throw protocolError("It is a Protocol Error if the Subscription Identifier has a value"
              + " of 0 (spec 3.3.2.3.8, 3.8.2.1.2)");
        }
        b.put(p, v);
      }
      case UTF8_STRING -> {
        String v = Decoding.readString(body, name);
        if (p == Property.RESPONSE_TOPIC && !Topics.isValidName(v)) {
          throw protocolError("[MQTT-3.3.2-14] Response Topic must be a valid topic name"
              + " without wildcards: " + Topics.problemWithName(v));
        }
        b.put(p, v);
      }
      case BINARY_DATA -> b.put(p, Decoding.readBinary(body, name));
      case UTF8_STRING_PAIR -> b.userProperty(Decoding.readString(body, "User Property name"),
          Decoding.readString(body, "User Property value"));
      default -> throw new IllegalStateException("unhandled property type " + p.type());
    }
  }

  private static int checkByte(Property p, int v) throws MalformedPacketException {
    // Every byte-typed property is a 0/1 flag except that Maximum QoS is 0 or 1 as well.
    if (v > 1) {
      throw protocolError("It is a Protocol Error for " + p + " to have a value other than 0 or"
          + " 1, was " + v);
    }
    return v;
  }

  private static int checkTwoByte(Property p, int v) throws MalformedPacketException {
    if (v == 0 && p == Property.RECEIVE_MAXIMUM) {
      throw protocolError("It is a Protocol Error for Receive Maximum to be 0"
          + " (spec 3.1.2.11.3, 3.2.2.3.3)");
    }
    if (v == 0 && p == Property.TOPIC_ALIAS) {
      throw new MalformedPacketException(ReasonCode.TOPIC_ALIAS_INVALID,
          "[MQTT-3.3.2-8] Topic Alias must not be 0");
    }
    return v;
  }
}
