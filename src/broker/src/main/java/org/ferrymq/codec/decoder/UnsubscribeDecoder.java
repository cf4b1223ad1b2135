package org.ferrymq.codec.decoder;

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
import org.ferrymq.packet.ReasonCode;
import org.ferrymq.packet.Unsubscribe;
import org.ferrymq.topic.Topics;

/**
 * UNSUBSCRIBE (section 3.10). An invalid filter fails the packet with TOPIC_FILTER_INVALID, for
 * the reason given in {@link SubscribeDecoder}.
 */
public final class UnsubscribeDecoder implements PacketDecoder {
  public static final UnsubscribeDecoder INSTANCE = new UnsubscribeDecoder();

  private UnsubscribeDecoder() {
  }

  @Override
  public Unsubscribe decode(int flags, ByteBuffer body, DecoderContext ctx)
      throws MalformedPacketException {
    Flags.require(flags, Flags.QOS_1, "UNSUBSCRIBE", ctx.version());
    int packetId = Decoding.readPacketId(body);
    Properties props = ctx.version().isV5()
        ? PropertiesReader.read(body, PacketType.UNSUBSCRIBE) : Properties.EMPTY;
    if (!body.hasRemaining()) {
      throw protocolError("[MQTT-3.10.3-2] UNSUBSCRIBE must contain at least one topic filter");
    }
    List<String> filters = new ArrayList<>();
    while (body.hasRemaining()) {
      String filter = Decoding.readString(body, "topic filter");
      String problem = Topics.problemWithFilter(filter);
      if (problem != null) {
        throw new MalformedPacketException(ReasonCode.TOPIC_FILTER_INVALID, problem);
      }
      filters.add(filter);
    }
    return new Unsubscribe(packetId, filters, props);
  }
}
