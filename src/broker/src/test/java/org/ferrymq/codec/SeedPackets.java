package org.ferrymq.codec;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.ferrymq.packet.Auth;
import org.ferrymq.packet.ConnAck;
import org.ferrymq.packet.Connect;
import org.ferrymq.packet.Disconnect;
import org.ferrymq.packet.Packet;
import org.ferrymq.packet.PingReq;
import org.ferrymq.packet.PingResp;
import org.ferrymq.packet.Properties;
import org.ferrymq.packet.Property;
import org.ferrymq.packet.ProtocolVersion;
import org.ferrymq.packet.PubAck;
import org.ferrymq.packet.PubComp;
import org.ferrymq.packet.PubRec;
import org.ferrymq.packet.PubRel;
import org.ferrymq.packet.Publish;
import org.ferrymq.packet.QoS;
import org.ferrymq.packet.ReasonCode;
import org.ferrymq.packet.RetainHandling;
import org.ferrymq.packet.SubAck;
import org.ferrymq.packet.Subscribe;
import org.ferrymq.packet.Subscription;
import org.ferrymq.packet.UnsubAck;
import org.ferrymq.packet.Unsubscribe;
import org.ferrymq.packet.Will;

/**
 * Valid packets of every type in one version, the seeds the fuzz targets start from: each field
 * the version has is present in at least one packet, so mutations start next to every branch of
 * the decoder instead of having to find the packet layout first.
 */
public final class SeedPackets {
  private static final byte[] PAYLOAD = "h\u00e9llo \uD83D\uDE00".getBytes(StandardCharsets.UTF_8);

  private SeedPackets() {
  }

  /** @return the seed packets of {@code v}, by a name that says what each one is */
  public static Map<String, Packet> named(ProtocolVersion v) {
    boolean v5 = v.isV5();
    Map<String, Packet> seeds = new LinkedHashMap<>();
    seeds.put("connect-minimal", new Connect(v, "client-1", true, 60, null, null, null, null));
    seeds.put("connect-will-credentials", new Connect(v, "client-2", false, 65_535,
        new Will("will/t\u00f6pic", PAYLOAD, QoS.EXACTLY_ONCE, true, v5 ? willProperties() : null),
        "user", new byte[] {0, 1, 2}, v5 ? connectProperties() : null));
    seeds.put("connack-accepted", new ConnAck(!v.equals(ProtocolVersion.MQTT_3_1),
        ReasonCode.SUCCESS, v5 ? connAckProperties() : null));
    seeds.put("connack-refused", new ConnAck(false, ReasonCode.NOT_AUTHORIZED, reason(v)));
    seeds.put("publish-qos0", new Publish("a/b", PAYLOAD, QoS.AT_MOST_ONCE, false, false, 0,
        null));
    seeds.put("publish-qos1-retain-dup", new Publish("a/b", new byte[0], QoS.AT_LEAST_ONCE, true,
        true, 1, null));
    seeds.put("publish-qos2", new Publish("\uFEFFbom/\u00e9", PAYLOAD, QoS.EXACTLY_ONCE, false,
        false, 65_535, v5 ? publishProperties() : null));
    seeds.put("puback", new PubAck(1, v5 ? ReasonCode.NO_MATCHING_SUBSCRIBERS : ReasonCode.SUCCESS,
        reason(v)));
    seeds.put("pubrec", new PubRec(2, ReasonCode.SUCCESS, reason(v)));
    seeds.put("pubrel", new PubRel(3, v5 ? ReasonCode.PACKET_IDENTIFIER_NOT_FOUND
        : ReasonCode.SUCCESS, null));
    seeds.put("pubcomp", new PubComp(4, ReasonCode.SUCCESS, reason(v)));
    seeds.put("subscribe", new Subscribe(5, List.of(
        new Subscription("a/+/#", QoS.AT_LEAST_ONCE),
        v5 ? new Subscription("x/#", QoS.EXACTLY_ONCE, true, true, RetainHandling.DO_NOT_SEND)
            : new Subscription("x/#", QoS.EXACTLY_ONCE),
        v5 ? new Subscription("$share/g/a", QoS.AT_MOST_ONCE, false, true,
            RetainHandling.SEND_IF_NEW_SUBSCRIPTION) : new Subscription("$share/g/a",
            QoS.AT_MOST_ONCE)),
        v5 ? Properties.builder().put(Property.SUBSCRIPTION_IDENTIFIER, 42)
            .userProperty("s", "1").build() : null));
    seeds.put("suback", new SubAck(5, List.of(ReasonCode.GRANTED_QOS_1,
        ReasonCode.UNSPECIFIED_ERROR, ReasonCode.SUCCESS, ReasonCode.GRANTED_QOS_2), reason(v)));
    seeds.put("unsubscribe", new Unsubscribe(6, List.of("a/+", "b/#"), v5
        ? Properties.builder().userProperty("u", "2").build() : null));
    seeds.put("unsuback", new UnsubAck(6, v5 ? List.of(ReasonCode.NO_SUBSCRIPTION_EXISTED,
        ReasonCode.SUCCESS) : List.of(), reason(v)));
    seeds.put("pingreq", PingReq.INSTANCE);
    seeds.put("pingresp", PingResp.INSTANCE);
    seeds.put("disconnect", Disconnect.NORMAL);
    if (v5) {
      seeds.put("publish-alias-subscription-ids", new Publish("", PAYLOAD, QoS.AT_LEAST_ONCE,
          false, false, 2, Properties.builder().put(Property.TOPIC_ALIAS, 3)
          .put(Property.SUBSCRIPTION_IDENTIFIER, 1).put(Property.SUBSCRIPTION_IDENTIFIER, 300)
          .build()));
      seeds.put("disconnect-with-will", new Disconnect(ReasonCode.DISCONNECT_WITH_WILL,
          Properties.builder().put(Property.SESSION_EXPIRY_INTERVAL, 5).build()));
      seeds.put("disconnect-server", new Disconnect(ReasonCode.SERVER_SHUTTING_DOWN,
          Properties.builder().put(Property.SERVER_REFERENCE, "s")
              .put(Property.REASON_STRING, "bye").userProperty("d", "3").build()));
      seeds.put("auth-success", new Auth(ReasonCode.SUCCESS, null));
      seeds.put("auth-continue", new Auth(ReasonCode.CONTINUE_AUTHENTICATION,
          Properties.builder().put(Property.AUTHENTICATION_METHOD, "SCRAM-SHA-256")
              .put(Property.AUTHENTICATION_DATA, new byte[] {1, 2}).build()));
    }
    return seeds;
  }

  /** @return the seed packets of {@code v} */
  public static List<Packet> all(ProtocolVersion v) {
    return new ArrayList<>(named(v).values());
  }

  /** @return the packet as bytes on the wire in version {@code v} */
  public static byte[] wire(Packet p, ProtocolVersion v) {
    ByteBuffer b = MqttEncoder.encode(p, v);
    byte[] bytes = new byte[b.remaining()];
    b.get(bytes);
    return bytes;
  }

  private static Properties reason(ProtocolVersion v) {
    return v.isV5() ? Properties.builder().put(Property.REASON_STRING, "why")
        .userProperty("x", "y").build() : null;
  }

  private static Properties willProperties() {
    return Properties.builder().put(Property.WILL_DELAY_INTERVAL, 10)
        .put(Property.PAYLOAD_FORMAT_INDICATOR, 1).put(Property.MESSAGE_EXPIRY_INTERVAL, 60)
        .put(Property.CONTENT_TYPE, "t").put(Property.RESPONSE_TOPIC, "r/1")
        .put(Property.CORRELATION_DATA, new byte[] {7}).userProperty("w", "1").build();
  }

  private static Properties connectProperties() {
    return Properties.builder().put(Property.SESSION_EXPIRY_INTERVAL, 3600)
        .put(Property.RECEIVE_MAXIMUM, 10).put(Property.MAXIMUM_PACKET_SIZE, 1024)
        .put(Property.TOPIC_ALIAS_MAXIMUM, 5).put(Property.REQUEST_RESPONSE_INFORMATION, 1)
        .put(Property.REQUEST_PROBLEM_INFORMATION, 0)
        .put(Property.AUTHENTICATION_METHOD, "SCRAM-SHA-256")
        .put(Property.AUTHENTICATION_DATA, new byte[] {9}).userProperty("a", "b").build();
  }

  private static Properties connAckProperties() {
    return Properties.builder().put(Property.SESSION_EXPIRY_INTERVAL, 0)
        .put(Property.ASSIGNED_CLIENT_IDENTIFIER, "auto-1").put(Property.SERVER_KEEP_ALIVE, 30)
        .put(Property.RESPONSE_INFORMATION, "resp").put(Property.SERVER_REFERENCE, "other:1883")
        .put(Property.REASON_STRING, "fine").put(Property.RECEIVE_MAXIMUM, 65_535)
        .put(Property.TOPIC_ALIAS_MAXIMUM, 0).put(Property.MAXIMUM_QOS, 1)
        .put(Property.RETAIN_AVAILABLE, 0).put(Property.MAXIMUM_PACKET_SIZE, 0xFFFF_FFFFL)
        .put(Property.WILDCARD_SUBSCRIPTION_AVAILABLE, 1)
        .put(Property.SUBSCRIPTION_IDENTIFIER_AVAILABLE, 1)
        .put(Property.SHARED_SUBSCRIPTION_AVAILABLE, 0).build();
  }

  private static Properties publishProperties() {
    return Properties.builder().put(Property.PAYLOAD_FORMAT_INDICATOR, 1)
        .put(Property.MESSAGE_EXPIRY_INTERVAL, 0xFFFF_FFFFL).put(Property.CONTENT_TYPE, "text/plain")
        .put(Property.RESPONSE_TOPIC, "reply/\u00e9").put(Property.CORRELATION_DATA, new byte[] {3})
        .userProperty("k", "v").userProperty("k", "v2").build();
  }
}
