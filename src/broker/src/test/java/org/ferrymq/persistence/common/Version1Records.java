package org.ferrymq.persistence.common;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/** Records as FerryMQ wrote them with layout version 1, for migration tests. */
public final class Version1Records {
  private Version1Records() {
  }

  /**
   * @return a version 1 session record: no subscriptions, the given packet identifiers awaiting
   *     PUBREL (no content hashes, no Will)
   */
  public static byte[] session(String clientId, int level, long expiry, int... awaitingPubrel) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(1); // kind: session
    out.write(1); // layout version 1
    byte[] id = clientId.getBytes(StandardCharsets.UTF_8);
    out.write(id.length); // varint length (short ids only)
    out.writeBytes(id);
    out.write(level);
    out.writeBytes(ByteBuffer.allocate(16).putLong(expiry).putLong(0).array()); // disconnectedAt
    out.write(0); // subscriptions
    out.write(awaitingPubrel.length);
    for (int packetId : awaitingPubrel) {
      out.write(packetId >> 8);
      out.write(packetId);
    }
    CRC32C crc = new CRC32C();
    byte[] body = out.toByteArray();
    crc.update(body, 0, body.length);
    out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    return out.toByteArray();
  }
}
