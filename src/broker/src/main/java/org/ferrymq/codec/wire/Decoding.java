package org.ferrymq.codec.wire;

import static org.ferrymq.codec.MalformedPacketException.malformed;
import static org.ferrymq.codec.MalformedPacketException.protocolError;

import java.nio.ByteBuffer;
import org.ferrymq.codec.MalformedPacketException;

/**
 * Bounds-checked reads of the MQTT data types (MQTT 5 section 1.5) from a packet body whose limit
 * is the end of the packet. Every read checks the remaining bytes first, so a length prefix can
 * never make the decoder read past the packet or allocate more than the packet holds.
 */
public final class Decoding {
  private Decoding() {
  }

  public static int readUnsignedByte(ByteBuffer body, String field) throws MalformedPacketException {
    if (!body.hasRemaining()) {
      throw malformed("packet ends before " + field);
    }
    return body.get() & 0xFF;
  }

  public static int readUnsignedShort(ByteBuffer body, String field)
      throws MalformedPacketException {
    if (body.remaining() < 2) {
      throw malformed("packet ends before " + field);
    }
    return body.getShort() & 0xFFFF;
  }

  public static long readUnsignedInt(ByteBuffer body, String field)
      throws MalformedPacketException {
    if (body.remaining() < 4) {
      throw malformed("packet ends before " + field);
    }
    return body.getInt() & 0xFFFF_FFFFL;
  }

  /** Reads a Variable Byte Integer that must lie wholly inside the body [MQTT-1.5.5-1]. */
  public static int readVariableByteInteger(ByteBuffer body, String field)
      throws MalformedPacketException {
    int v = VariableByteInteger.decode(body);
    if (v >= 0) {
      return v;
    }
    throw malformed(switch (v) {
      case VariableByteInteger.NOT_ENOUGH_BYTES -> "packet ends inside " + field;
      case VariableByteInteger.TOO_LARGE -> field + " is longer than four bytes";
      default -> "[MQTT-1.5.5-1] " + field + " is not minimally encoded";
    });
  }

  /** Reads a non-zero two-byte Packet Identifier [MQTT-2.2.1-3]. */
  public static int readPacketId(ByteBuffer body) throws MalformedPacketException {
    int id = readUnsignedShort(body, "packet identifier");
    if (id == 0) {
      throw protocolError("[MQTT-2.2.1-3] packet identifier must not be 0");
    }
    return id;
  }

  /**
   * Reads a UTF-8 Encoded String: two-byte length, then well-formed UTF-8 without U+0000
   * [MQTT-1.5.4-1] [MQTT-1.5.4-2]. A leading U+FEFF is kept [MQTT-1.5.4-3].
   */
  public static String readString(ByteBuffer body, String field) throws MalformedPacketException {
    int len = readUnsignedShort(body, field + " length");
    if (len > body.remaining()) {
      throw malformed(field + " length " + len + " exceeds the " + body.remaining()
          + " bytes left in the packet");
    }
    byte[] a;
    int off;
    if (body.hasArray()) {
      a = body.array();
      off = body.arrayOffset() + body.position();
      body.position(body.position() + len);
    } else {
      a = new byte[len];
      off = 0;
      body.get(a);
    }
    int bad = Utf8.firstInvalid(a, off, len, false);
    if (bad >= 0) {
      throw malformed((a[bad] == 0 ? "[MQTT-1.5.4-2] U+0000 in " : "[MQTT-1.5.4-1] ill-formed UTF-8 in ")
          + field + " at byte " + (bad - off));
    }
    return Utf8.decodeValidated(a, off, len);
  }

  /** Reads Binary Data: two-byte length, then that many bytes. */
  public static byte[] readBinary(ByteBuffer body, String field) throws MalformedPacketException {
    int len = readUnsignedShort(body, field + " length");
    if (len > body.remaining()) {
      throw malformed(field + " length " + len + " exceeds the " + body.remaining()
          + " bytes left in the packet");
    }
    byte[] a = new byte[len];
    body.get(a);
    return a;
  }

  /** @return the rest of the body as a new array (the payload) */
  public static byte[] readRest(ByteBuffer body) {
    byte[] a = new byte[body.remaining()];
    body.get(a);
    return a;
  }

  /** Rejects bytes after the last field of a packet. */
  public static void requireEnd(ByteBuffer body, String packet) throws MalformedPacketException {
    if (body.hasRemaining()) {
      throw malformed(packet + " has " + body.remaining() + " unexpected trailing bytes");
    }
  }
}
