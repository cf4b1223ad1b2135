package org.ferrymq.codec.encoder;

import java.nio.ByteBuffer;
import java.util.function.Function;
import org.ferrymq.codec.wire.PropertiesWriter;
import org.ferrymq.packet.Auth;
import org.ferrymq.packet.Disconnect;
import org.ferrymq.packet.Packet;
import org.ferrymq.packet.PacketType;
import org.ferrymq.packet.Properties;
import org.ferrymq.packet.ProtocolVersion;
import org.ferrymq.packet.ReasonCode;

/**
 * DISCONNECT and AUTH (sections 3.14, 3.15): an optional reason code and optional properties.
 * MQTT 5 short forms: Remaining Length 0 for Success without properties, 1 for a reason code
 * without properties. MQTT 3 DISCONNECT is the fixed header alone; AUTH does not exist there.
 *
 * @param <P> the record
 */
public final class ReasonEncoder<P extends Packet> implements PacketEncoder<P> {
  public static final ReasonEncoder<Disconnect> DISCONNECT = new ReasonEncoder<>(
      PacketType.DISCONNECT, Disconnect::reasonCode, Disconnect::properties);
  public static final ReasonEncoder<Auth> AUTH = new ReasonEncoder<>(
      PacketType.AUTH, Auth::reasonCode, Auth::properties);

  private final PacketType type;
  private final Function<P, ReasonCode> reasonCode;
  private final Function<P, Properties> properties;

  private ReasonEncoder(PacketType type, Function<P, ReasonCode> reasonCode,
      Function<P, Properties> properties) {
    this.type = type;
    this.reasonCode = reasonCode;
    this.properties = properties;
  }

  @Override
  public int remainingLength(P packet, ProtocolVersion version, int omit) {
    if (!version.isV5()) {
      if (type == PacketType.AUTH) {
        throw new IllegalArgumentException("AUTH does not exist in MQTT " + version);
      }
      return 0;
    }
    int props = PropertiesWriter.length(properties.apply(packet), type, omit);
    return ReasonTail.size(reasonCode.apply(packet), props, type);
  }

  @Override
  public void writeBody(P packet, ProtocolVersion version, int omit, ByteBuffer out) {
    if (!version.isV5()) {
      return;
    }
    ReasonTail.write(reasonCode.apply(packet), properties.apply(packet), type, omit, out);
  }
}
