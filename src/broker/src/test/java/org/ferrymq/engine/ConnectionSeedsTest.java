package org.ferrymq.engine;

import static org.ferrymq.codec.SeedPackets.wire;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.ferrymq.codec.SeedFiles;
import org.ferrymq.codec.SeedPackets;
import org.ferrymq.packet.Auth;
import org.ferrymq.packet.Connect;
import org.ferrymq.packet.Disconnect;
import org.ferrymq.packet.Packet;
import org.ferrymq.packet.PingReq;
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
import org.ferrymq.packet.Subscribe;
import org.ferrymq.packet.Subscription;
import org.ferrymq.packet.Unsubscribe;
import org.ferrymq.packet.Will;
import org.junit.jupiter.api.Test;

/**
 * The connection fuzz target's seed corpus: whole client sessions of every version (QoS 0, 1
 * and 2 flows, subscriptions, Wills, persistent sessions, topic aliases, enhanced
 * authentication, a bad packet, an unsupported version), each in whole reads and some a byte
 * or a few bytes at a time. With {@code -Dfuzz.seeds.write=true} it writes the files, else it
 * checks the committed ones.
 */
class ConnectionSeedsTest {
  private static final byte[] PAYLOAD = "payload".getBytes(StandardCharsets.UTF_8);

  @Test
  void seedsAreCommitted() throws Exception {
    Map<String, byte[]> seeds = new LinkedHashMap<>();
    for (ProtocolVersion v : ProtocolVersion.values()) {
      String name = v.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
      byte[] session = stream(v, fullSession(v));
      seeds.put(name + "-session", Chunks.of(session, 255));
      seeds.put(name + "-session-bytewise", Chunks.of(session, 1));
      seeds.put(name + "-persistent-will", Chunks.of(stream(v, persistentWithWill(v)), 7));
      seeds.put(name + "-every-packet", Chunks.of(stream(v, everyPacket(v)), 255));
      ByteArrayOutputStream bad = new ByteArrayOutputStream();
      bad.writeBytes(wire(connect(v, "bad", true, null, null), v));
      bad.writeBytes(new byte[] {0x36, 0x03, 0x00, 0x01, 'a'}); // PUBLISH with both QoS bits
      seeds.put(name + "-bad-packet", Chunks.of(bad.toByteArray(), 3));
    }
    ProtocolVersion v5 = ProtocolVersion.MQTT_5;
    seeds.put("mqtt-5-topic-aliases", Chunks.of(stream(v5, List.of(
        connect(v5, "alias", true, null, Properties.builder()
            .put(Property.TOPIC_ALIAS_MAXIMUM, 2).put(Property.RECEIVE_MAXIMUM, 2).build()),
        new Subscribe(1, List.of(new Subscription("a/#", QoS.AT_LEAST_ONCE)),
            Properties.builder().put(Property.SUBSCRIPTION_IDENTIFIER, 7).build()),
        new Publish("a/b", PAYLOAD, QoS.AT_LEAST_ONCE, false, false, 2,
            Properties.builder().put(Property.TOPIC_ALIAS, 1).build()),
        new Publish("", PAYLOAD, QoS.AT_LEAST_ONCE, false, false, 3,
            Properties.builder().put(Property.TOPIC_ALIAS, 1).build()),
        new PubAck(1), new PubAck(2),
        new Disconnect(ReasonCode.SUCCESS, Properties.builder()
            .put(Property.SESSION_EXPIRY_INTERVAL, 0).build()))), 255));
    Properties start = auth("user");
    seeds.put("mqtt-5-enhanced-auth", Chunks.of(stream(v5, List.of(
        connect(v5, "auth", true, null, start),
        new Auth(ReasonCode.CONTINUE_AUTHENTICATION, auth("resu-ecnon")),
        new Auth(ReasonCode.RE_AUTHENTICATE, start),
        new Auth(ReasonCode.CONTINUE_AUTHENTICATION, auth("resu-ecnon")),
        new Publish("a/b", PAYLOAD, QoS.AT_LEAST_ONCE, false, false, 1, null),
        Disconnect.NORMAL)), 255));
    seeds.put("mqtt-5-enhanced-auth-wrong-answer", Chunks.of(stream(v5, List.of(
        connect(v5, "auth", true, null, start),
        new Auth(ReasonCode.CONTINUE_AUTHENTICATION, auth("wrong")))), 255));
    seeds.put("unsupported-version", Chunks.of(new byte[] {
        0x10, 0x0C, 0x00, 0x04, 'M', 'Q', 'T', 'T', 0x06, 0x02, 0x00, 0x3C, 0x00, 0x00}, 255));
    SeedFiles.sync(ConnectionFuzzTest.class, "connection", seeds);
  }

  /** Authentication properties of {@link ConnectionContract#AUTH_METHOD} with the data. */
  private static Properties auth(String data) {
    return Properties.builder().put(Property.AUTHENTICATION_METHOD, ConnectionContract.AUTH_METHOD)
        .put(Property.AUTHENTICATION_DATA, data.getBytes(StandardCharsets.UTF_8)).build();
  }

  private static Connect connect(ProtocolVersion v, String id, boolean clean, Will will,
      Properties props) {
    return new Connect(v, id, clean, 30, will, null, null, props);
  }

  /** CONNECT, SUBSCRIBE, PUBLISH at QoS 0, 1 and 2 with their flows, UNSUBSCRIBE, DISCONNECT. */
  private static List<Packet> fullSession(ProtocolVersion v) {
    return List.of(
        connect(v, "seed", true, null, null),
        new Subscribe(1, List.of(new Subscription("a/#", QoS.EXACTLY_ONCE),
            new Subscription("$share/g/b", QoS.AT_LEAST_ONCE)), null),
        new Publish("a/0", PAYLOAD, QoS.AT_MOST_ONCE, true, false, 0, null),
        new Publish("a/1", PAYLOAD, QoS.AT_LEAST_ONCE, false, false, 2, null),
        new Publish("a/2", PAYLOAD, QoS.EXACTLY_ONCE, false, false, 3, null),
        new PubRel(3),
        new PubAck(1), new PubRec(2), new PubComp(2),
        new Unsubscribe(4, List.of("a/#"), null),
        PingReq.INSTANCE,
        Disconnect.NORMAL);
  }

  /** A session the client asks to keep, with a Will, dropped without DISCONNECT. */
  private static List<Packet> persistentWithWill(ProtocolVersion v) {
    Properties keep = v.isV5()
        ? Properties.builder().put(Property.SESSION_EXPIRY_INTERVAL, 60).build() : null;
    Will will = new Will("will/seed", PAYLOAD, QoS.AT_LEAST_ONCE, true, v.isV5()
        ? Properties.builder().put(Property.WILL_DELAY_INTERVAL, 5).build() : null);
    return List.of(
        connect(v, "keeper", false, will, keep),
        new Subscribe(1, List.of(new Subscription("will/#", QoS.AT_LEAST_ONCE)), null),
        new Publish("will/retained", PAYLOAD, QoS.AT_LEAST_ONCE, true, false, 2, null));
  }

  /** CONNECT followed by each seed packet a client could send, and the others too. */
  private static List<Packet> everyPacket(ProtocolVersion v) {
    List<Packet> packets = new java.util.ArrayList<>();
    packets.add(connect(v, "every", true, null, null));
    SeedPackets.named(v).forEach((name, p) -> {
      if (!name.startsWith("connect")) {
        packets.add(p);
      }
    });
    return packets;
  }

  private static byte[] stream(ProtocolVersion v, List<Packet> packets) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    packets.forEach(p -> out.writeBytes(wire(p, v)));
    return out.toByteArray();
  }
}
