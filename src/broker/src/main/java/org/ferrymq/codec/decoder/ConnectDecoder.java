package org.ferrymq.codec.decoder;

import static org.ferrymq.codec.MalformedPacketException.malformed;
import static org.ferrymq.codec.MalformedPacketException.protocolError;

import java.nio.ByteBuffer;
import org.ferrymq.codec.DecoderContext;
import org.ferrymq.codec.MalformedPacketException;
import org.ferrymq.codec.wire.Decoding;
import org.ferrymq.codec.wire.PropertiesReader;
import org.ferrymq.codec.wire.Utf8;
import org.ferrymq.packet.Connect;
import org.ferrymq.packet.PacketType;
import org.ferrymq.packet.Properties;
import org.ferrymq.packet.Property;
import org.ferrymq.packet.ProtocolVersion;
import org.ferrymq.packet.QoS;
import org.ferrymq.packet.ReasonCode;
import org.ferrymq.packet.Will;
import org.ferrymq.topic.Topics;

/**
 * CONNECT (MQTT 5 section 3.1, 3.1.1 section 3.1, 3.1). The protocol name and level are read
 * first and decide the version for the rest of the packet. Spec ids are quoted as MQTT 5 first,
 * then the 3.1.1 id where the numbering differs. Client identifier rules (length, characters,
 * empty id with clean session) depend on configuration and are left to the engine.
 */
public final class ConnectDecoder implements PacketDecoder {
  public static final ConnectDecoder INSTANCE = new ConnectDecoder();

  private static final int RESERVED = 0x01;
  private static final int CLEAN_START = 0x02;
  private static final int WILL = 0x04;
  private static final int WILL_RETAIN = 0x20;
  private static final int PASSWORD = 0x40;
  private static final int USER_NAME = 0x80;

  private ConnectDecoder() {
  }

  @Override
  public Connect decode(int flags, ByteBuffer body, DecoderContext ctx)
      throws MalformedPacketException {
    Flags.require(flags, Flags.NONE, "CONNECT", ctx.version());
    if (ctx.version() != null) {
      throw protocolError("[MQTT-3.1.0-2] a second CONNECT is a Protocol Error");
    }
    String name = Decoding.readString(body, "protocol name");
    int level = Decoding.readUnsignedByte(body, "protocol level");
    ProtocolVersion version = ProtocolVersion.of(name, level);
    if (version == null) {
      throw new MalformedPacketException(ReasonCode.UNSUPPORTED_PROTOCOL_VERSION,
          "[MQTT-3.1.2-1] [MQTT-3.1.2-2] unsupported protocol name/level " + name + "/" + level);
    }
    int cf = Decoding.readUnsignedByte(body, "connect flags");
    checkConnectFlags(cf, version);
    int keepAlive = Decoding.readUnsignedShort(body, "keep alive");
    Properties props = version.isV5()
        ? PropertiesReader.read(body, PacketType.CONNECT) : Properties.EMPTY;
    // [MQTT-3.1.3-1] payload order: client id, will properties, will topic, will payload,
    // user name, password.
    String clientId = Decoding.readString(body, "client identifier");
    Will will = (cf & WILL) != 0 ? readWill(body, cf, version) : null;
    String userName = (cf & USER_NAME) != 0 ? Decoding.readString(body, "user name") : null;
    byte[] password = (cf & PASSWORD) != 0 ? Decoding.readBinary(body, "password") : null;
    Decoding.requireEnd(body, "CONNECT");
    return new Connect(version, clientId, (cf & CLEAN_START) != 0, keepAlive, will, userName,
        password, props);
  }

  private static void checkConnectFlags(int cf, ProtocolVersion version)
      throws MalformedPacketException {
    // MQTT 3.1 did not reserve bit 0 normatively; Mosquitto also checks it only from 3.1.1 on.
    if ((cf & RESERVED) != 0 && version != ProtocolVersion.MQTT_3_1) {
      throw malformed("[MQTT-3.1.2-3] the reserved CONNECT flag must be 0");
    }
    int willQos = (cf >> 3) & 0x03;
    if ((cf & WILL) == 0) {
      if (willQos != 0) {
        throw malformed("[MQTT-3.1.2-11] (3.1.1: [MQTT-3.1.2-13]) Will QoS must be 0 when the"
            + " Will Flag is 0");
      }
      if ((cf & WILL_RETAIN) != 0) {
        throw malformed("[MQTT-3.1.2-13] (3.1.1: [MQTT-3.1.2-15]) Will Retain must be 0 when the"
            + " Will Flag is 0");
      }
    } else if (willQos == 3) {
      throw malformed("[MQTT-3.1.2-12] (3.1.1: [MQTT-3.1.2-14]) Will QoS must not be 3");
    }
    if (!version.isV5() && (cf & PASSWORD) != 0 && (cf & USER_NAME) == 0) {
      throw malformed("[MQTT-3.1.2-22] MQTT 3 password flag set without user name flag");
    }
  }

  private static Will readWill(ByteBuffer body, int cf, ProtocolVersion version)
      throws MalformedPacketException {
    Properties willProps = version.isV5() ? PropertiesReader.read(body, null) : Properties.EMPTY;
    String topic = Decoding.readString(body, "will topic");
    String problem = Topics.problemWithName(topic);
    if (problem != null) {
      throw new MalformedPacketException(ReasonCode.TOPIC_NAME_INVALID, "Will Topic: " + problem);
    }
    byte[] payload = Decoding.readBinary(body, "will payload");
    if (willProps.intOr(Property.PAYLOAD_FORMAT_INDICATOR, 0) == 1 && !Utf8.isWellFormed(payload)) {
      throw new MalformedPacketException(ReasonCode.PAYLOAD_FORMAT_INVALID,
          "Will Payload is not well-formed UTF-8 although Payload Format Indicator is 1"
              + " (spec 3.1.3.2.3)");
    }
    return new Will(topic, payload, QoS.of((cf >> 3) & 0x03), (cf & WILL_RETAIN) != 0, willProps);
  }
}
