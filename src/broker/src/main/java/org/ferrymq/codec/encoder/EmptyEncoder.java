package org.ferrymq.codec.encoder;

import java.nio.ByteBuffer;
import org.ferrymq.packet.Packet;
import org.ferrymq.packet.ProtocolVersion;

/** PINGREQ and PINGRESP (sections 3.12, 3.13): a fixed header with Remaining Length 0. */
public final class EmptyEncoder implements PacketEncoder<Packet> {
  public static final EmptyEncoder INSTANCE = new EmptyEncoder();

  private EmptyEncoder() {
  }

  @Override
  public int remainingLength(Packet packet, ProtocolVersion version, int omit) {
    return 0;
  }

  @Override
  public void writeBody(Packet packet, ProtocolVersion version, int omit, ByteBuffer out) {
    // Nothing after the fixed header.
  }
}
