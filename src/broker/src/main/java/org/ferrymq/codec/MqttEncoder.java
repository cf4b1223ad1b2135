package org.ferrymq.codec;

import java.nio.ByteBuffer;
import org.ferrymq.codec.encoder.PacketEncoder;
import org.ferrymq.codec.encoder.PacketEncoders;
import org.ferrymq.codec.wire.Encoding;
import org.ferrymq.codec.wire.PropertiesWriter;
import org.ferrymq.codec.wire.VariableByteInteger;
import org.ferrymq.packet.Packet;
import org.ferrymq.packet.PacketType;
import org.ferrymq.packet.ProtocolVersion;

/**
 * Encodes packets of every type for MQTT 3.1, 3.1.1 and 5.0 into exactly sized heap buffers.
 * Stateless and thread-safe.
 *
 * <p>For MQTT 3 the encoder drops properties and MQTT 5-only fields; CONNACK and SUBACK reason
 * codes become MQTT 3 return codes. Properties a packet type cannot carry are left out in MQTT 5.
 * MQTT 5 acknowledgements, DISCONNECT and AUTH use their short forms when possible (3.4.2.1).
 */
public final class MqttEncoder {
  private static final int[] OMIT_STEPS = {
      PropertiesWriter.OMIT_REASON_STRING,
      PropertiesWriter.OMIT_REASON_STRING | PropertiesWriter.OMIT_USER_PROPERTIES};

  private MqttEncoder() {
  }

  /**
   * Encodes a packet for a version.
   *
   * @return a new heap buffer with position 0 and limit equal to the packet size
   * @throws IllegalArgumentException if the packet cannot be expressed in {@code version} (AUTH,
   *     or a PUBLISH relying on a Topic Alias, for MQTT 3) or holds a string that is not valid
   *     MQTT UTF-8
   */
  public static ByteBuffer encode(Packet packet, ProtocolVersion version) {
    PacketEncoder<Packet> encoder = PacketEncoders.get(packet);
    return write(encoder, packet, version, 0, encoder.remainingLength(packet, version, 0));
  }

  /**
   * @return the total encoded size in bytes, fixed header included
   * @throws IllegalArgumentException as {@link #encode(Packet, ProtocolVersion)}
   */
  public static int encodedSize(Packet packet, ProtocolVersion version) {
    return Encoding.packetSize(PacketEncoders.get(packet).remainingLength(packet, version, 0));
  }

  /**
   * Encodes a packet for a peer that accepts at most {@code maxPacketSize} bytes. A packet other
   * than PUBLISH that is too large loses its Reason String, then its User Properties, as MQTT 5
   * requires of the sender (e.g. [MQTT-3.4.2-2], [MQTT-3.4.2-3], [MQTT-3.14.2-3]).
   *
   * @return the buffer as {@link #encode(Packet, ProtocolVersion)}, or {@code null} if the packet
   *     still does not fit; a PUBLISH is never trimmed, the caller discards it and behaves as if it
   *     had been sent [MQTT-3.1.2-25]
   */
  public static ByteBuffer encode(Packet packet, ProtocolVersion version, int maxPacketSize) {
    PacketEncoder<Packet> encoder = PacketEncoders.get(packet);
    int remaining = encoder.remainingLength(packet, version, 0);
    if (Encoding.packetSize(remaining) <= maxPacketSize) {
      return write(encoder, packet, version, 0, remaining);
    }
    if (packet.type() == PacketType.PUBLISH || !version.isV5()) {
      return null;
    }
    for (int omit : OMIT_STEPS) {
      remaining = encoder.remainingLength(packet, version, omit);
      if (Encoding.packetSize(remaining) <= maxPacketSize) {
        return write(encoder, packet, version, omit, remaining);
      }
    }
    return null;
  }

  private static ByteBuffer write(PacketEncoder<Packet> encoder, Packet packet,
      ProtocolVersion version, int omit, int remaining) {
    int size = Encoding.packetSize(remaining);
    ByteBuffer out = ByteBuffer.allocate(size);
    out.put((byte) (packet.type().value() << 4 | encoder.flags(packet)));
    VariableByteInteger.encode(remaining, out);
    encoder.writeBody(packet, version, omit, out);
    if (out.position() != size) {
      throw new IllegalStateException(packet.type() + " encoder wrote " + out.position()
          + " bytes, computed " + size);
    }
    return out.flip();
  }
}
