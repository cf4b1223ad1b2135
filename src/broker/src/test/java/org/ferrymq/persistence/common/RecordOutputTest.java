package org.ferrymq.persistence.common;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

class RecordOutputTest {

  @Test
  void keepsEveryByteInOrderAcrossGrowthAndChecksumsThemInPlace() {
    RecordOutput out = new RecordOutput(2);
    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    byte[] chunk = new byte[37];
    for (int i = 0; i < chunk.length; i++) {
      chunk[i] = (byte) (i * 7);
    }
    for (int round = 0; round < 50; round++) {
      out.write(round);
      expected.write(round);
      out.write(chunk, round % 5, chunk.length - round % 5);
      expected.write(chunk, round % 5, chunk.length - round % 5);
    }
    byte[] written = expected.toByteArray();
    assertArrayEquals(written, out.toByteArray());
    CRC32C crc = new CRC32C();
    crc.update(written);
    assertEquals((int) crc.getValue(), out.crc32c());
  }
}
