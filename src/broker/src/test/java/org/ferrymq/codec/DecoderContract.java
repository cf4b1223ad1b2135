package org.ferrymq.codec;

import static org.ferrymq.codec.Packets.assertDeepEquals;
import static org.ferrymq.codec.Packets.decodeAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.ferrymq.packet.Connect;
import org.ferrymq.packet.Packet;
import org.ferrymq.packet.PacketType;
import org.ferrymq.packet.ProtocolVersion;

/**
 * What the decoder promises for any bytes, checked by the decoder fuzz targets: the bytes are
 * decoded as a stream, the way a connection reads them, and each step must
 * <ul>
 *   <li>return a packet and move past it, or return {@code null} without moving (more bytes
 *       needed), or throw {@link MalformedPacketException} with an error reason code; any other
 *       exception is a finding;</li>
 *   <li>allocate no more than a bounded multiple of the input (a length field must never make it
 *       allocate what the bytes do not hold);</li>
 *   <li>give a packet that owns its data: overwriting the input afterwards changes nothing;</li>
 *   <li>give a packet the encoder writes back into bytes that decode to an equal packet.</li>
 * </ul>
 * Each input is decoded as the broker reads it (server side, 1 KiB packet limit, CONNECT first
 * when the stream starts with one) and as a client reads it (no limit), so both directions'
 * packets are reached.
 */
final class DecoderContract {
  /** Server-side packet limit: small, so that PACKET_TOO_LARGE is reached too. */
  static final int SERVER_LIMIT = 1024;
  /**
   * Allocation allowed per input byte. The densest legal packets cost about 25 bytes per wire
   * byte (a SUBSCRIBE of one-character filters: a String and a Subscription per four bytes).
   */
  private static final long BYTES_PER_INPUT_BYTE = 64;
  /** Allocation allowed for any input: contexts, lists, the property builder, exceptions. */
  private static final long BASE_ALLOWANCE = 32 * 1024;
  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  private DecoderContract() {
  }

  /**
   * Checks the contract on {@code input} for a connection that negotiated {@code version}; a
   * stream that starts with CONNECT is read by the broker in the version the CONNECT names.
   */
  static void check(byte[] input, ProtocolVersion version) {
    if (input.length > 0 && PacketType.of((input[0] & 0xFF) >>> 4) == PacketType.CONNECT) {
      checkStream(input, DecoderContext.beforeConnect(SERVER_LIMIT));
    } else {
      checkStream(input, new DecoderContext(version, SERVER_LIMIT, true));
    }
    checkStream(input, new DecoderContext(version, DecoderContext.MAX_PACKET_SIZE, false));
  }

  private static void checkStream(byte[] input, DecoderContext start) {
    byte[] wire = input.clone();
    ByteBuffer in = ByteBuffer.wrap(wire);
    List<Decoded> decoded = new ArrayList<>();
    DecoderContext ctx = start;
    long allocatedBefore = THREADS.getCurrentThreadAllocatedBytes();
    while (true) {
      int position = in.position();
      Packet p;
      try {
        p = MqttDecoder.decode(in, ctx);
      } catch (MalformedPacketException e) {
        assertTrue(e.reasonCode().isError(), "reason code " + e.reasonCode() + " for "
            + e.getMessage());
        assertNotNull(e.getMessage(), "a malformed packet names the broken rule");
        break;
      }
      if (p == null) {
        assertEquals(position, in.position(), "null (need more bytes) must not move the buffer");
        break;
      }
      assertTrue(in.position() > position, "a decoded packet must consume bytes");
      decoded.add(new Decoded(p, ctx, position, in.position()));
      if (ctx.version() == null) {
        // As the connection does: CONNECT fixes the version for the rest of the stream
        ctx = ctx.withVersion(((Connect) p).version());
      }
    }
    long allocated = THREADS.getCurrentThreadAllocatedBytes() - allocatedBefore;
    if (allocated > BASE_ALLOWANCE + BYTES_PER_INPUT_BYTE * input.length) {
      checkAllocation(input, start);
    }

    // The packets must not share the bytes they were read from
    Arrays.fill(wire, (byte) 0xA5);
    for (Decoded d : decoded) {
      assertDeepEquals(d.fromFreshBytes(input), d.packet);
      assertRoundTrips(d);
    }
  }

  /**
   * Decodes the input again and measures that: the first run of a code path also pays for class
   * initialisation and call-site linkage, which a second run does not.
   */
  private static void checkAllocation(byte[] input, DecoderContext start) {
    ByteBuffer in = ByteBuffer.wrap(input.clone());
    DecoderContext ctx = start;
    long before = THREADS.getCurrentThreadAllocatedBytes();
    try {
      Packet p;
      while ((p = MqttDecoder.decode(in, ctx)) != null) {
        if (ctx.version() == null) {
          ctx = ctx.withVersion(((Connect) p).version());
        }
      }
    } catch (MalformedPacketException expected) {
      // the outcome was checked already; only the allocation counts here
    }
    long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
    long allowed = BASE_ALLOWANCE + BYTES_PER_INPUT_BYTE * input.length;
    assertTrue(allocated <= allowed, "decoding " + input.length + " bytes allocated "
        + allocated + " bytes, more than " + allowed);
  }

  private static void assertRoundTrips(Decoded d) {
    ProtocolVersion v = d.packet instanceof Connect c ? c.version() : d.context.version();
    ByteBuffer encoded = MqttEncoder.encode(d.packet, v);
    assertEquals(MqttEncoder.encodedSize(d.packet, v), encoded.remaining(), "encodedSize");
    DecoderContext ctx = new DecoderContext(d.context.version(), DecoderContext.MAX_PACKET_SIZE,
        d.context.serverSide());
    try {
      assertDeepEquals(d.packet, decodeAll(encoded, ctx));
    } catch (MalformedPacketException e) {
      throw new AssertionError("re-encoded " + d.packet + " does not decode: " + e.getMessage(),
          e);
    }
  }

  /** A packet with the context it was decoded in and where its bytes were. */
  private record Decoded(Packet packet, DecoderContext context, int start, int end) {
    Packet fromFreshBytes(byte[] input) {
      try {
        return decodeAll(ByteBuffer.wrap(Arrays.copyOfRange(input, start, end)), context);
      } catch (MalformedPacketException e) {
        throw new AssertionError("the same bytes decoded once and failed once", e);
      }
    }
  }
}
