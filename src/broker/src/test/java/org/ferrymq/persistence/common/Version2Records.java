package org.ferrymq.persistence.common;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.zip.CRC32C;
import org.ferrymq.persistence.StoredSession;

/** Session records as FerryMQ wrote them with layout version 2 (no owner), for migration tests. */
public final class Version2Records {
  private Version2Records() {
  }

  /**
   * @param session a session without owner
   * @return its record in layout 2: layout 3 is layout 2 followed by the owner, one byte 0
   *     ("unknown") for a session without owner
   */
  public static byte[] session(StoredSession session) {
    if (session.owner() != null) {
      throw new IllegalArgumentException("layout 2 had no owner");
    }
    byte[] current = RecordCodec.encodeSession(session);
    if (current[1] != 3 || current[current.length - 5] != 0) {
      throw new IllegalStateException("not a layout 3 record ending with an unknown owner");
    }
    byte[] v2 = Arrays.copyOf(current, current.length - 5 + 4);
    v2[1] = 2; // layout version 2
    CRC32C crc = new CRC32C();
    crc.update(v2, 0, v2.length - 4);
    ByteBuffer.wrap(v2, v2.length - 4, 4).putInt((int) crc.getValue());
    return v2;
  }
}
