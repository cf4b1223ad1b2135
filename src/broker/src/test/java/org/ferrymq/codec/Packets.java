package org.ferrymq.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.nio.ByteBuffer;
import org.ferrymq.packet.Packet;
import org.ferrymq.packet.PacketType;
import org.ferrymq.packet.ProtocolVersion;

/** Test helpers: byte fixtures, decoding in one call, and deep record comparison. */
final class Packets {
  static final int NO_LIMIT = DecoderContext.MAX_PACKET_SIZE;

  private Packets() {
  }

  /** @return a buffer of the given unsigned byte values */
  static ByteBuffer bytes(int... values) {
    ByteBuffer b = ByteBuffer.allocate(values.length);
    for (int v : values) {
      b.put((byte) v);
    }
    return b.flip();
  }

  static int[] toInts(ByteBuffer b) {
    int[] out = new int[b.remaining()];
    for (int i = 0; i < out.length; i++) {
      out[i] = b.get(b.position() + i) & 0xFF;
    }
    return out;
  }

  /** Server-side context (the broker decoding a client's packets). */
  static DecoderContext server(ProtocolVersion v) {
    return new DecoderContext(v, NO_LIMIT);
  }

  /** Client-side context (a test client decoding the broker's packets). */
  static DecoderContext client(ProtocolVersion v) {
    return new DecoderContext(v, NO_LIMIT, false);
  }

  /** Decodes a whole packet and checks that it consumed the buffer. */
  static Packet decodeAll(ByteBuffer in, DecoderContext ctx) throws MalformedPacketException {
    Packet p = MqttDecoder.decode(in, ctx);
    assertNotNull(p, "packet incomplete");
    assertEquals(0, in.remaining(), "bytes left after the packet");
    return p;
  }

  /** Encodes and decodes again with a context suitable for the packet's direction. */
  static Packet roundTrip(Packet p, ProtocolVersion v) throws MalformedPacketException {
    ByteBuffer encoded = MqttEncoder.encode(p, v);
    assertEquals(MqttEncoder.encodedSize(p, v), encoded.remaining(), "encodedSize");
    DecoderContext ctx = p.type() == PacketType.CONNECT
        ? new DecoderContext(null, NO_LIMIT) : client(v);
    return decodeAll(encoded, ctx);
  }

  /** Compares records component by component, arrays by content. */
  static void assertDeepEquals(Object expected, Object actual) {
    if (expected instanceof byte[] e) {
      assertArrayEquals(e, (byte[]) actual);
    } else if (expected != null && expected.getClass().isRecord()) {
      assertEquals(expected.getClass(), actual.getClass());
      for (RecordComponent c : expected.getClass().getRecordComponents()) {
        assertDeepEquals(component(c, expected), component(c, actual));
      }
    } else {
      assertEquals(expected, actual);
    }
  }

  private static Object component(RecordComponent c, Object record) {
    try {
      return c.getAccessor().invoke(record);
    } catch (IllegalAccessException | InvocationTargetException e) {
      throw new AssertionError(e);
    }
  }
}
