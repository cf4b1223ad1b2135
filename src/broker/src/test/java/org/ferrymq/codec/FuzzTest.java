package org.ferrymq.codec;

import static org.ferrymq.packet.ProtocolVersion.MQTT_3_1_1;
import static org.ferrymq.packet.ProtocolVersion.MQTT_5;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Random;
import org.ferrymq.packet.Connect;
import org.ferrymq.packet.Packet;
import org.ferrymq.packet.Properties;
import org.ferrymq.packet.Property;
import org.ferrymq.packet.ProtocolVersion;
import org.ferrymq.packet.Publish;
import org.ferrymq.packet.QoS;
import org.ferrymq.packet.Subscribe;
import org.ferrymq.packet.Subscription;
import org.ferrymq.packet.Will;
import org.junit.jupiter.api.Test;

/**
 * The decoder's contract under hostile input: for any bytes it returns a packet or {@code null},
 * or throws {@link MalformedPacketException}, never another exception. Seeds are fixed so a
 * failure reproduces.
 */
class FuzzTest {
  private static final int ROUNDS = 20_000;

  @Test
  void randomBytesOnlyEverThrowMalformedPacketException() {
    Random random = new Random(42);
    for (int i = 0; i < ROUNDS; i++) {
      byte[] data = new byte[random.nextInt(40)];
      random.nextBytes(data);
      // Keep the declared length plausible so bodies get parsed, not just framed.
      if (data.length > 1) {
        data[1] = (byte) (data.length - 2);
      }
      for (ProtocolVersion v : ProtocolVersion.values()) {
        decodeQuietly(data, new DecoderContext(v, 1024, random.nextBoolean()));
      }
      decodeQuietly(data, DecoderContext.beforeConnect(1024));
    }
  }

  @Test
  void mutatedValidPacketsOnlyEverThrowMalformedPacketException() {
    Properties props = Properties.builder().put(Property.CONTENT_TYPE, "t")
        .put(Property.SUBSCRIPTION_IDENTIFIER, 300).userProperty("k", "v").build();
    List<Packet> seeds = List.of(
        new Connect(MQTT_5, "id", true, 5, new Will("w", new byte[] {1}, QoS.AT_LEAST_ONCE,
            true, Properties.builder().put(Property.WILL_DELAY_INTERVAL, 1).build()), "u",
            new byte[] {2}, Properties.builder().put(Property.RECEIVE_MAXIMUM, 5).build()),
        new Publish("a/b", new byte[] {1, 2}, QoS.EXACTLY_ONCE, false, false, 5, props),
        new Subscribe(3, List.of(new Subscription("a/+", QoS.AT_LEAST_ONCE)), props));
    Random random = new Random(7);
    for (int i = 0; i < ROUNDS; i++) {
      Packet seed = seeds.get(i % seeds.size());
      ProtocolVersion v = random.nextBoolean() ? MQTT_5 : MQTT_3_1_1;
      ByteBuffer encoded = MqttEncoder.encode(withVersion(seed, v), v);
      byte[] data = new byte[encoded.remaining()];
      encoded.get(data);
      int flips = 1 + random.nextInt(3);
      for (int f = 0; f < flips; f++) {
        data[2 + random.nextInt(data.length - 2)] = (byte) random.nextInt(256);
      }
      decodeQuietly(data, seed instanceof Connect
          ? DecoderContext.beforeConnect(1024) : new DecoderContext(v, 1024, false));
    }
  }

  private static Packet withVersion(Packet p, ProtocolVersion v) {
    return p instanceof Connect c ? new Connect(v, c.clientId(), c.cleanStart(), c.keepAlive(),
        c.will(), c.username(), c.password(), c.properties()) : p;
  }

  private static void decodeQuietly(byte[] data, DecoderContext ctx) {
    try {
      ByteBuffer in = ByteBuffer.wrap(data);
      while (MqttDecoder.decode(in, ctx) != null && in.hasRemaining()) {
        // keep decoding whatever follows
      }
    } catch (MalformedPacketException expected) {
      // the one permitted failure
    }
  }
}
