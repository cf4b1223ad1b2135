package org.ferrymq.codec.decoder;

import static org.ferrymq.codec.MalformedPacketException.malformed;

import java.nio.ByteBuffer;
import org.ferrymq.codec.DecoderContext;
import org.ferrymq.codec.MalformedPacketException;
import org.ferrymq.codec.wire.Decoding;
import org.ferrymq.codec.wire.PropertiesReader;
import org.ferrymq.packet.ConnAck;
import org.ferrymq.packet.PacketType;
import org.ferrymq.packet.Properties;
import org.ferrymq.packet.ProtocolVersion;
import org.ferrymq.packet.ReasonCode;

/**
 * CONNACK (section 3.2), received by clients. MQTT 3 return codes 0..5 are mapped to reason
 * codes with {@link ReasonCode#fromV3ConnectReturnCode}; MQTT 3.1 has no Session Present flag and
 * its first byte is ignored.
 */
public final class ConnAckDecoder implements PacketDecoder {
  public static final ConnAckDecoder INSTANCE = new ConnAckDecoder();

  private ConnAckDecoder() {
  }

  @Override
  public ConnAck decode(int flags, ByteBuffer body, DecoderContext ctx)
      throws MalformedPacketException {
    ProtocolVersion version = ctx.version();
    Flags.require(flags, Flags.NONE, "CONNACK", version);
    int ackFlags = Decoding.readUnsignedByte(body, "connect acknowledge flags");
    if ((ackFlags & 0xFE) != 0 && version != ProtocolVersion.MQTT_3_1) {
      throw malformed("[MQTT-3.2.2-1] CONNACK flag bits 7-1 are reserved and must be 0");
    }
    boolean sessionPresent = (ackFlags & 0x01) != 0 && version != ProtocolVersion.MQTT_3_1;
    ReasonCode rc;
    Properties props = Properties.EMPTY;
    if (version.isV5()) {
      rc = ReasonCodes.read(body, ReasonCodes.CONNACK, "CONNACK");
      props = PropertiesReader.read(body, PacketType.CONNACK);
    } else {
      int code = Decoding.readUnsignedByte(body, "connect return code");
      rc = ReasonCode.fromV3ConnectReturnCode(code);
      if (rc == null) {
        throw malformed("CONNACK return code " + code + " is reserved (3.1.1 table 3.1)");
      }
    }
    Decoding.requireEnd(body, "CONNACK");
    if (sessionPresent && rc.isError()) {
      throw malformed("[MQTT-3.2.2-6] (3.1.1: [MQTT-3.2.2-4]) Session Present must be 0 with a"
          + " non-zero return code");
    }
    return new ConnAck(sessionPresent, rc, props);
  }
}
