package org.ferrymq.codec;

import java.io.ByteArrayOutputStream;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.ferrymq.packet.Packet;
import org.ferrymq.packet.ProtocolVersion;
import org.junit.jupiter.api.Test;

/**
 * The decoder fuzz target's seed corpus: in each version, every seed packet as its own input
 * and the client's packets of a whole session as one stream. With {@code -Dfuzz.seeds.write=true}
 * it writes the files, else it checks the committed ones.
 */
class DecoderSeedsTest {

  @Test
  void seedsAreCommitted() throws Exception {
    Map<String, byte[]> seeds = new LinkedHashMap<>();
    for (ProtocolVersion v : ProtocolVersion.values()) {
      String prefix = v.name().toLowerCase(Locale.ROOT).replace('_', '-') + "-";
      ByteArrayOutputStream session = new ByteArrayOutputStream();
      for (Map.Entry<String, Packet> e : SeedPackets.named(v).entrySet()) {
        byte[] wire = SeedPackets.wire(e.getValue(), v);
        seeds.put(prefix + e.getKey(), MqttDecoderFuzzTest.input(v, wire));
        if (!e.getKey().startsWith("conn") || e.getKey().equals("connect-minimal")) {
          session.writeBytes(wire);
        }
      }
      seeds.put(prefix + "session", MqttDecoderFuzzTest.input(v, session.toByteArray()));
    }
    SeedFiles.sync(MqttDecoderFuzzTest.class, "decode", seeds);
  }
}
