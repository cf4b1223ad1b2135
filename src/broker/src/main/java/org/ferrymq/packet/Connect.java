package org.ferrymq.packet;

import java.util.Objects;

/**
 * CONNECT. {@code clientId} may be empty (the server then assigns one, or refuses for MQTT 3.1
 * and for 3.1.1 without clean session). {@code will}, {@code username} and {@code password} are
 * {@code null} when absent.
 */
public record Connect(ProtocolVersion version, String clientId, boolean cleanStart, int keepAlive,
    Will will, String username, byte[] password, Properties properties) implements Packet {

  public Connect {
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(clientId, "clientId");
    if (keepAlive < 0 || keepAlive > 0xFFFF) {
      throw new IllegalArgumentException("keep alive must be 0..65535, was " + keepAlive);
    }
    properties = PacketIds.orEmpty(properties);
  }

  @Override
  public PacketType type() {
    return PacketType.CONNECT;
  }
}
