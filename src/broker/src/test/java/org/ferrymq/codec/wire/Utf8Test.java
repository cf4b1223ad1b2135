package org.ferrymq.codec.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.ferrymq.codec.MalformedPacketException;
import org.ferrymq.packet.ReasonCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class Utf8Test {

  @ParameterizedTest
  @ValueSource(strings = {"", "ascii", "caf\u00e9", "\u20ac\u4e2d", "\uD83D\uDE00 emoji",
      "\uFEFFbom", "\uFFFF\u0001"})
  void writesWhatJavaWritesAndReadsItBack(String s) throws Exception {
    byte[] expected = s.getBytes(StandardCharsets.UTF_8);
    ByteBuffer sut = ByteBuffer.allocate(2 + expected.length);
    // Exercise
    Encoding.writeString(s, sut);
    sut.flip();
    // Verify
    assertEquals(expected.length, Utf8.encodedLength(s));
    assertEquals(expected.length, sut.getShort(0));
    byte[] written = new byte[expected.length];
    sut.get(2, written);
    assertArrayEquals(expected, written);
    assertEquals(s, Decoding.readString(sut, "s"));
  }

  @Test
  void mqtt_1_5_4_3_keepsByteOrderMark() throws Exception {
    ByteBuffer sut = ByteBuffer.wrap(new byte[] {0, 4, (byte) 0xEF, (byte) 0xBB, (byte) 0xBF, 'a'});
    assertEquals("\uFEFFa", Decoding.readString(sut, "s"));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {
      "ED A0 80", // U+D800 high surrogate [MQTT-1.5.4-1]
      "ED BF BF", // U+DFFF low surrogate [MQTT-1.5.4-1]
      "C0 80",    // overlong U+0000
      "C1 BF",    // overlong U+007F
      "E0 80 80", // overlong three-byte
      "F0 80 80 80", // overlong four-byte
      "F4 90 80 80", // above U+10FFFF
      "F5 80 80 80", // invalid lead byte
      "80",       // lone continuation byte
      "C3",       // truncated sequence
      "E2 82",    // truncated sequence
      "C3 28",    // bad continuation byte
      "00",       // U+0000 [MQTT-1.5.4-2]
      "61 00 62"})
  void mqtt_1_5_4_1_and_1_5_4_2_rejectsIllFormedStrings(String hex) {
    String[] parts = hex.split(" ");
    ByteBuffer sut = ByteBuffer.allocate(2 + parts.length);
    sut.putShort((short) parts.length);
    for (String p : parts) {
      sut.put((byte) Integer.parseInt(p, 16));
    }
    sut.flip();
    MalformedPacketException e =
        assertThrows(MalformedPacketException.class, () -> Decoding.readString(sut, "s"));
    assertEquals(ReasonCode.MALFORMED_PACKET, e.reasonCode());
  }

  @Test
  void readsStringsFromDirectBuffers() throws Exception {
    ByteBuffer sut = ByteBuffer.allocateDirect(5);
    sut.put(new byte[] {0, 3, 'a', (byte) 0xC3, (byte) 0xA9}).flip();
    assertEquals("a\u00e9", Decoding.readString(sut, "s"));
  }

  @Test
  void payloadMayContainNulButMustBeWellFormed() {
    assertEquals(true, Utf8.isWellFormed(new byte[] {'a', 0, 'b'}));
    assertEquals(false, Utf8.isWellFormed(new byte[] {(byte) 0xFF}));
  }

  @Test
  void refusesToEncodeUnpairedSurrogateOrNul() {
    assertThrows(IllegalArgumentException.class, () -> Utf8.encodedLength("a\uD800b"));
    assertThrows(IllegalArgumentException.class, () -> Utf8.encodedLength("\uDC00"));
    assertThrows(IllegalArgumentException.class, () -> Utf8.encodedLength("a\u0000"));
  }

  @Test
  void refusesToEncodeMoreThan65535Bytes() {
    assertEquals(65_535, Utf8.encodedLength("a".repeat(65_535)));
    assertThrows(IllegalArgumentException.class, () -> Utf8.encodedLength("a".repeat(65_536)));
  }
}
