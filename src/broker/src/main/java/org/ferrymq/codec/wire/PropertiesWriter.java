package org.ferrymq.codec.wire;

import java.nio.ByteBuffer;
import java.util.List;
import org.ferrymq.packet.PacketType;
import org.ferrymq.packet.Properties;
import org.ferrymq.packet.Property;
import org.ferrymq.packet.UserProperty;

/**
 * Sizes and writes an MQTT 5 property block. Properties the packet type cannot carry are left out
 * (the engine may build them freely, see {@link Properties}); {@code omit} additionally drops
 * Reason String and/or User Properties to fit a peer's Maximum Packet Size.
 */
public final class PropertiesWriter {
  /** Leave out the Reason String. */
  public static final int OMIT_REASON_STRING = 1;
  /** Leave out all User Properties. */
  public static final int OMIT_USER_PROPERTIES = 2;

  private static final Property[] ALL = Property.values();

  private PropertiesWriter() {
  }

  /**
   * @param packetType the packet, or {@code null} for Will Properties
   * @return the size of the property values, without the Property Length field
   */
  public static int length(Properties props, PacketType packetType, int omit) {
    if (props == Properties.EMPTY) {
      return 0;
    }
    int len = 0;
    for (Property p : ALL) {
      if (!included(p, packetType, omit)) {
        continue;
      }
      switch (p) {
        case USER_PROPERTY -> {
          for (UserProperty u : props.userProperties()) {
            len += 1 + Encoding.stringSize(u.name()) + Encoding.stringSize(u.value());
          }
        }
        case SUBSCRIPTION_IDENTIFIER -> {
          for (int id : props.subscriptionIdentifiers()) {
            len += 1 + VariableByteInteger.encodedSize(id);
          }
        }
        default -> {
          Object v = props.get(p);
          if (v != null) {
            len += 1 + valueSize(p, v);
          }
        }
      }
    }
    return len;
  }

  /** @return the size of the whole block: Property Length field plus {@code length} */
  public static int blockSize(int length) {
    return VariableByteInteger.encodedSize(length) + length;
  }

  /** Writes Property Length {@code length} (from {@link #length}) and the properties. */
  public static void write(Properties props, PacketType packetType, int omit, int length,
      ByteBuffer out) {
    VariableByteInteger.encode(length, out);
    if (length == 0) {
      return;
    }
    for (Property p : ALL) {
      if (!included(p, packetType, omit)) {
        continue;
      }
      switch (p) {
        case USER_PROPERTY -> writeUserProperties(props.userProperties(), out);
        case SUBSCRIPTION_IDENTIFIER -> {
          for (int id : props.subscriptionIdentifiers()) {
            out.put((byte) p.id());
            VariableByteInteger.encode(id, out);
          }
        }
        default -> {
          Object v = props.get(p);
          if (v != null) {
            out.put((byte) p.id());
            writeValue(p, v, out);
          }
        }
      }
    }
  }

  private static boolean included(Property p, PacketType packetType, int omit) {
    if (packetType == null ? !p.allowedInWill() : !p.allowedIn(packetType)) {
      return false;
    }
    if (p == Property.REASON_STRING) {
      return (omit & OMIT_REASON_STRING) == 0;
    }
    return p != Property.USER_PROPERTY || (omit & OMIT_USER_PROPERTIES) == 0;
  }

  private static int valueSize(Property p, Object v) {
    return switch (p.type()) {
      case BYTE -> 1;
      case TWO_BYTE_INTEGER -> 2;
      case FOUR_BYTE_INTEGER -> 4;
      case VARIABLE_BYTE_INTEGER -> VariableByteInteger.encodedSize((Integer) v);
      case UTF8_STRING -> Encoding.stringSize((String) v);
      case BINARY_DATA -> Encoding.binarySize((byte[]) v);
      case UTF8_STRING_PAIR -> throw new IllegalStateException("User Property is a list");
    };
  }

  private static void writeValue(Property p, Object v, ByteBuffer out) {
    switch (p.type()) {
      case BYTE -> out.put((byte) (int) (Integer) v);
      case TWO_BYTE_INTEGER -> out.putShort((short) (int) (Integer) v);
      case FOUR_BYTE_INTEGER -> out.putInt((int) (long) (Long) v);
      case VARIABLE_BYTE_INTEGER -> VariableByteInteger.encode((Integer) v, out);
      case UTF8_STRING -> Encoding.writeString((String) v, out);
      case BINARY_DATA -> Encoding.writeBinary((byte[]) v, out);
      case UTF8_STRING_PAIR -> throw new IllegalStateException("User Property is a list");
    }
  }

  private static void writeUserProperties(List<UserProperty> list, ByteBuffer out) {
    for (UserProperty u : list) {
      out.put((byte) Property.USER_PROPERTY.id());
      Encoding.writeString(u.name(), out);
      Encoding.writeString(u.value(), out);
    }
  }
}
