package org.ferrymq.codec.encoder;

import java.nio.ByteBuffer;
import org.ferrymq.packet.Packet;
import org.ferrymq.packet.ProtocolVersion;

/**
 * Encodes one packet type. The size is computed first so the caller can allocate one buffer of
 * the exact size; implementations are stateless singletons.
 *
 * @param <P> the packet record
 */
public interface PacketEncoder<P extends Packet> {

  /**
   * @param omit a combination of {@link org.ferrymq.codec.wire.PropertiesWriter} OMIT_* flags
   * @return the Remaining Length of the packet in {@code version}
   * @throws IllegalArgumentException if the packet cannot be expressed in {@code version}
   */
  int remainingLength(P packet, ProtocolVersion version, int omit);

  /** @return the low four bits of the fixed header */
  default int flags(P packet) {
    return 0;
  }

  /** Writes the variable header and payload, exactly {@code remainingLength} bytes. */
  void writeBody(P packet, ProtocolVersion version, int omit, ByteBuffer out);
}
