package org.ferrymq.codec;

import static org.ferrymq.codec.Packets.assertDeepEquals;
import static org.ferrymq.codec.Packets.roundTrip;
import static org.ferrymq.packet.ProtocolVersion.MQTT_3_1;
import static org.ferrymq.packet.ProtocolVersion.MQTT_3_1_1;
import static org.ferrymq.packet.ProtocolVersion.MQTT_5;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** encode → decode gives the same packet, for every packet type and every version. */
class RoundTripTest {

  private static final byte[] PAYLOAD = "h\u00e9llo \uD83D\uDE00".getBytes(StandardCharsets.UTF_8);

  /** Packets whose every field exists in all versions. */
  static Stream<Arguments> portable() {
    Will will = new Will("will/t\u00f6pic", PAYLOAD, QoS.EXACTLY_ONCE, true, null);
    List<Packet> packets = List.of(
        new Connect(MQTT_3_1_1, "client-1", true, 60, null, null, null, null),
        new Connect(MQTT_3_1_1, "", false, 65_535, will, "user", new byte[] {0, 1, 2}, null),
        new Connect(MQTT_3_1_1, "c", true, 0, null, "user", null, null),
        new ConnAck(false, ReasonCode.SUCCESS, null),
        new ConnAck(false, ReasonCode.NOT_AUTHORIZED, null),
        new Publish("a/b", PAYLOAD, QoS.AT_MOST_ONCE, false, false, 0, null),
        new Publish("a/b", new byte[0], QoS.AT_LEAST_ONCE, true, true, 1, null),
        new Publish("\uFEFFbom/\u00e9", PAYLOAD, QoS.EXACTLY_ONCE, false, false, 65_535, null),
        new PubAck(1), new PubRec(65_535), new PubRel(7), new PubComp(8),
        new Subscribe(10, List.of(new Subscription("a/+/#", QoS.AT_LEAST_ONCE),
            new Subscription("$share/g/x", QoS.EXACTLY_ONCE),
            new Subscription("#", QoS.AT_MOST_ONCE)), null),
        new SubAck(10, List.of(ReasonCode.GRANTED_QOS_1, ReasonCode.UNSPECIFIED_ERROR,
            ReasonCode.SUCCESS, ReasonCode.GRANTED_QOS_2), null),
        new Unsubscribe(11, List.of("a/+", "b/#"), null),
        PingReq.INSTANCE, PingResp.INSTANCE, Disconnect.NORMAL);
    return Stream.of(MQTT_3_1, MQTT_3_1_1, MQTT_5)
        .flatMap(v -> packets.stream().map(p -> Arguments.of(v, withVersion(p, v))));
  }

  private static Packet withVersion(Packet p, ProtocolVersion v) {
    if (p instanceof Connect c) {
      return new Connect(v, c.clientId(), c.cleanStart(), c.keepAlive(), c.will(), c.username(),
          c.password(), c.properties());
    }
    return p;
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("portable")
  void roundTripsInEveryVersion(ProtocolVersion version, Packet packet) throws Exception {
    // Exercise
    Packet decoded = roundTrip(packet, version);
    // Verify
    assertDeepEquals(packet, decoded);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("portable")
  void mqtt3UnsubAckHasNoReasonCodes(ProtocolVersion version, Packet ignored) throws Exception {
    UnsubAck sut = new UnsubAck(3, List.of(ReasonCode.SUCCESS), null);
    UnsubAck decoded = (UnsubAck) roundTrip(sut, version);
    assertEquals(version.isV5() ? sut.reasonCodes() : List.of(), decoded.reasonCodes());
  }

  static Stream<Packet> mqtt5Only() {
    Properties all = Properties.builder()
        .put(Property.PAYLOAD_FORMAT_INDICATOR, 1)
        .put(Property.MESSAGE_EXPIRY_INTERVAL, 0xFFFF_FFFFL)
        .put(Property.CONTENT_TYPE, "text/plain")
        .put(Property.RESPONSE_TOPIC, "reply/\u00e9")
        .put(Property.CORRELATION_DATA, new byte[] {1, 2, 3})
        .put(Property.SUBSCRIPTION_IDENTIFIER, 1)
        .put(Property.SUBSCRIPTION_IDENTIFIER, 268_435_455)
        .put(Property.TOPIC_ALIAS, 65_535)
        .userProperty("k", "v").userProperty("k", "v2")
        .build();
    Properties connect = Properties.builder()
        .put(Property.SESSION_EXPIRY_INTERVAL, 3600)
        .put(Property.RECEIVE_MAXIMUM, 10)
        .put(Property.MAXIMUM_PACKET_SIZE, 1024)
        .put(Property.TOPIC_ALIAS_MAXIMUM, 5)
        .put(Property.REQUEST_RESPONSE_INFORMATION, 1)
        .put(Property.REQUEST_PROBLEM_INFORMATION, 0)
        .put(Property.AUTHENTICATION_METHOD, "SCRAM")
        .put(Property.AUTHENTICATION_DATA, new byte[] {9})
        .userProperty("a", "b")
        .build();
    Properties connack = Properties.builder()
        .put(Property.SESSION_EXPIRY_INTERVAL, 0)
        .put(Property.ASSIGNED_CLIENT_IDENTIFIER, "auto-1")
        .put(Property.SERVER_KEEP_ALIVE, 30)
        .put(Property.RESPONSE_INFORMATION, "resp")
        .put(Property.SERVER_REFERENCE, "other:1883")
        .put(Property.REASON_STRING, "fine")
        .put(Property.RECEIVE_MAXIMUM, 65_535)
        .put(Property.TOPIC_ALIAS_MAXIMUM, 0)
        .put(Property.MAXIMUM_QOS, 1)
        .put(Property.RETAIN_AVAILABLE, 0)
        .put(Property.MAXIMUM_PACKET_SIZE, 0xFFFF_FFFFL)
        .put(Property.WILDCARD_SUBSCRIPTION_AVAILABLE, 1)
        .put(Property.SUBSCRIPTION_IDENTIFIER_AVAILABLE, 1)
        .put(Property.SHARED_SUBSCRIPTION_AVAILABLE, 0)
        .build();
    Properties reason = Properties.builder().put(Property.REASON_STRING, "why")
        .userProperty("x", "y").build();
    Properties willProps = Properties.builder().put(Property.WILL_DELAY_INTERVAL, 10)
        .put(Property.PAYLOAD_FORMAT_INDICATOR, 1).put(Property.CONTENT_TYPE, "t")
        .userProperty("w", "1").build();
    Will will = new Will("w", PAYLOAD, QoS.AT_LEAST_ONCE, false, willProps);
    return Stream.of(
        new Connect(MQTT_5, "c5", true, 10, will, null, new byte[] {1}, connect),
        new ConnAck(true, ReasonCode.SUCCESS, connack),
        new ConnAck(false, ReasonCode.BANNED, reason),
        new Publish("", PAYLOAD, QoS.AT_LEAST_ONCE, false, false, 2, all),
        new Publish("t", PAYLOAD, QoS.AT_MOST_ONCE, true, false, 0, all),
        new PubAck(1, ReasonCode.NO_MATCHING_SUBSCRIBERS, null),
        new PubAck(1, ReasonCode.SUCCESS, reason),
        new PubRec(2, ReasonCode.QUOTA_EXCEEDED, reason),
        new PubRel(3, ReasonCode.PACKET_IDENTIFIER_NOT_FOUND, null),
        new PubComp(4, ReasonCode.SUCCESS, reason),
        new Subscribe(5, List.of(
            new Subscription("a/#", QoS.EXACTLY_ONCE, true, true, RetainHandling.DO_NOT_SEND),
            new Subscription("$share/g/a", QoS.AT_MOST_ONCE, false, true,
                RetainHandling.SEND_IF_NEW_SUBSCRIPTION)),
            Properties.builder().put(Property.SUBSCRIPTION_IDENTIFIER, 42)
                .userProperty("s", "1").build()),
        new SubAck(5, List.of(ReasonCode.GRANTED_QOS_2, ReasonCode.TOPIC_FILTER_INVALID,
            ReasonCode.SHARED_SUBSCRIPTIONS_NOT_SUPPORTED), reason),
        new Unsubscribe(6, List.of("a/#"), Properties.builder().userProperty("u", "2").build()),
        new UnsubAck(6, List.of(ReasonCode.NO_SUBSCRIPTION_EXISTED, ReasonCode.SUCCESS), reason),
        new Disconnect(ReasonCode.DISCONNECT_WITH_WILL, null),
        new Disconnect(ReasonCode.SERVER_SHUTTING_DOWN, Properties.builder()
            .put(Property.SESSION_EXPIRY_INTERVAL, 5).put(Property.SERVER_REFERENCE, "s")
            .put(Property.REASON_STRING, "bye").userProperty("d", "3").build()),
        new Auth(ReasonCode.SUCCESS, null),
        new Auth(ReasonCode.CONTINUE_AUTHENTICATION, Properties.builder()
            .put(Property.AUTHENTICATION_METHOD, "SCRAM")
            .put(Property.AUTHENTICATION_DATA, new byte[] {1, 2}).build()),
        new Auth(ReasonCode.RE_AUTHENTICATE, Properties.builder()
            .put(Property.AUTHENTICATION_METHOD, "SCRAM").put(Property.REASON_STRING, "again")
            .build()));
  }

  @ParameterizedTest
  @MethodSource("mqtt5Only")
  void roundTripsMqtt5Fields(Packet packet) throws Exception {
    // Exercise
    Packet decoded = roundTrip(packet, MQTT_5);
    // Verify
    assertDeepEquals(packet, decoded);
  }
}
