package org.ferrymq.codec.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class VariableByteIntegerTest {

  @ParameterizedTest(name = "{0} takes {1} bytes")
  @CsvSource({"0,1", "127,1", "128,2", "16383,2", "16384,3", "2097151,3", "2097152,4",
      "268435455,4"})
  void encodesMinimallyAndDecodesBack(int value, int size) {
    ByteBuffer sut = ByteBuffer.allocate(4);
    // Exercise
    VariableByteInteger.encode(value, sut);
    sut.flip();
    // Verify
    assertEquals(size, sut.remaining());
    assertEquals(size, VariableByteInteger.encodedSize(value));
    assertEquals(value, VariableByteInteger.decode(sut));
    assertEquals(size, sut.position());
  }

  @Test
  void specExamplesFromTable1_1() {
    assertEquals(321, VariableByteInteger.decode(bytes(0xC1, 0x02)));
    assertEquals(268_435_455, VariableByteInteger.decode(bytes(0xFF, 0xFF, 0xFF, 0x7F)));
  }

  @Test
  void reportsNotEnoughBytesWithoutMovingPosition() {
    ByteBuffer sut = bytes(0x80, 0x80);
    assertEquals(VariableByteInteger.NOT_ENOUGH_BYTES, VariableByteInteger.decode(sut));
    assertEquals(0, sut.position());
  }

  @Test
  void rejectsFifthByte() {
    assertEquals(VariableByteInteger.TOO_LARGE,
        VariableByteInteger.decode(bytes(0xFF, 0xFF, 0xFF, 0xFF, 0x01)));
  }

  @Test
  void mqtt_1_5_5_1_rejectsNonMinimalEncoding() {
    assertEquals(VariableByteInteger.NOT_MINIMUM_BYTES,
        VariableByteInteger.decode(bytes(0x80, 0x00)));
    assertEquals(VariableByteInteger.NOT_MINIMUM_BYTES,
        VariableByteInteger.decode(bytes(0xFF, 0x80, 0x00)));
  }

  @Test
  void refusesToEncodeOutOfRange() {
    assertThrows(IllegalArgumentException.class, () -> VariableByteInteger.encodedSize(-1));
    assertThrows(IllegalArgumentException.class,
        () -> VariableByteInteger.encodedSize(268_435_456));
  }

  private static ByteBuffer bytes(int... values) {
    ByteBuffer b = ByteBuffer.allocate(values.length);
    for (int v : values) {
      b.put((byte) v);
    }
    return b.flip();
  }
}
