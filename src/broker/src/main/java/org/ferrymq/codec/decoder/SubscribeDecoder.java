package org.ferrymq.codec.decoder;

import static org.ferrymq.codec.MalformedPacketException.malformed;
import static org.ferrymq.codec.MalformedPacketException.protocolError;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.ferrymq.codec.DecoderContext;
import org.ferrymq.codec.MalformedPacketException;
import org.ferrymq.codec.wire.Decoding;
import org.ferrymq.codec.wire.PropertiesReader;
import org.ferrymq.packet.PacketType;
import org.ferrymq.packet.Properties;
import org.ferrymq.packet.QoS;
import org.ferrymq.packet.ReasonCode;
import org.ferrymq.packet.RetainHandling;
import org.ferrymq.packet.Subscribe;
import org.ferrymq.packet.Subscription;
import org.ferrymq.topic.Topics;

/**
 * SUBSCRIBE (section 3.8).
 *
 * <p>An invalid topic filter fails the whole packet with TOPIC_FILTER_INVALID (0x8F) rather than
 * producing a per-filter SUBACK 0x8F as MQTT 5 would allow: {@link Subscription} cannot hold an
 * invalid filter, a filter that breaks 4.7.1 is a malformed packet in 3.1.1, and 0x8F is also a
 * valid DISCONNECT reason code, so the engine can answer with it directly.
 */
public final class SubscribeDecoder implements PacketDecoder {
  public static final SubscribeDecoder INSTANCE = new SubscribeDecoder();

  private static final int V5_RESERVED = 0xC0;
  private static final int V3_RESERVED = 0xFC;
  private static final int NO_LOCAL = 0x04;
  private static final int RETAIN_AS_PUBLISHED = 0x08;

  private SubscribeDecoder() {
  }

  @Override
  public Subscribe decode(int flags, ByteBuffer body, DecoderContext ctx)
      throws MalformedPacketException {
    Flags.require(flags, Flags.QOS_1, "SUBSCRIBE", ctx.version());
    boolean v5 = ctx.version().isV5();
    int packetId = Decoding.readPacketId(body);
    Properties props = v5 ? PropertiesReader.read(body, PacketType.SUBSCRIBE) : Properties.EMPTY;
    if (props.subscriptionIdentifiers().size() > 1) {
      throw protocolError("It is a Protocol Error to include the Subscription Identifier more"
          + " than once in SUBSCRIBE (spec 3.8.2.1.2)");
    }
    if (!body.hasRemaining()) {
      throw protocolError("[MQTT-3.8.3-3] SUBSCRIBE must contain at least one topic filter");
    }
    List<Subscription> subscriptions = new ArrayList<>();
    while (body.hasRemaining()) {
      String filter = Decoding.readString(body, "topic filter");
      int options = Decoding.readUnsignedByte(body, "subscription options");
      String problem = Topics.problemWithFilter(filter);
      if (problem != null) {
        throw new MalformedPacketException(ReasonCode.TOPIC_FILTER_INVALID, problem);
      }
      subscriptions.add(v5 ? v5Subscription(filter, options) : v3Subscription(filter, options));
    }
    return new Subscribe(packetId, subscriptions, props);
  }

  private static Subscription v5Subscription(String filter, int options)
      throws MalformedPacketException {
    if ((options & V5_RESERVED) != 0) {
      throw malformed("[MQTT-3.8.3-5] reserved bits 6-7 of the subscription options must be 0");
    }
    int qos = options & 0x03;
    if (qos == 3) {
      throw protocolError("It is a Protocol Error if the Maximum QoS field has the value 3"
          + " (spec 3.8.3.1)");
    }
    int retainHandling = (options >> 4) & 0x03;
    if (retainHandling == 3) {
      throw protocolError("It is a Protocol Error to send a Retain Handling value of 3"
          + " (spec 3.8.3.1)");
    }
    boolean noLocal = (options & NO_LOCAL) != 0;
    if (noLocal && Topics.isShared(filter)) {
      throw protocolError("[MQTT-3.8.3-4] No Local must not be 1 on a Shared Subscription");
    }
    return new Subscription(filter, QoS.of(qos), noLocal, (options & RETAIN_AS_PUBLISHED) != 0,
        RetainHandling.of(retainHandling));
  }

  private static Subscription v3Subscription(String filter, int options)
      throws MalformedPacketException {
    if ((options & V3_RESERVED) != 0 || (options & 0x03) == 3) {
      throw malformed("[MQTT-3-8.3-4] requested QoS byte must be 0, 1 or 2 (3.1.1 numbering)");
    }
    return new Subscription(filter, QoS.of(options));
  }
}
