package org.ferrymq.engine;

import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.CRC32C;
import java.util.zip.Checksum;
import org.ferrymq.message.Message;
import org.ferrymq.packet.Properties;
import org.ferrymq.packet.Property;
import org.ferrymq.packet.UserProperty;
import org.ferrymq.persistence.StoredReceipt;

/**
 * A 64-bit fingerprint of what a QoS 2 PUBLISH carries (topic, payload, QoS, RETAIN and the
 * properties that reach subscribers), so that a resent PUBLISH can be told from a new message
 * that reuses its packet identifier without keeping the message: Mosquitto compares the stored
 * message itself. Topic Alias, Subscription Identifiers and Message Expiry Interval are left
 * out: they are gone from {@link Message#properties()}, and a resend may count the expiry down.
 *
 * <p>Two checksums with different polynomials (CRC-32C and CRC-32, both intrinsics on current
 * JVMs) make 64 bits; only a client that reuses an unreleased packet identifier with DUP set and
 * different content is exposed to a collision, and then to one in 2^64.
 */
final class ContentHash {
  private ContentHash() {
  }

  /** @return the fingerprint, never {@link StoredReceipt#UNKNOWN_HASH} */
  static long of(Message m) {
    Both sums = new Both();
    sums.string(m.topic());
    sums.bytes(m.payload());
    sums.number(m.qos().value() | (m.retain() ? 4 : 0));
    Properties props = m.properties();
    for (Property p : props.present()) {
      if (p.repeatable()) {
        continue;
      }
      sums.number(p.id());
      switch (p.type()) {
        case UTF8_STRING -> sums.string(props.getString(p));
        case BINARY_DATA -> sums.bytes(props.getBytes(p));
        default -> sums.number(((Number) props.get(p)).longValue());
      }
    }
    for (UserProperty u : props.userProperties()) {
      sums.string(u.name());
      sums.string(u.value());
    }
    long hash = sums.crc32c.getValue() << 32 | sums.crc32.getValue();
    return hash == StoredReceipt.UNKNOWN_HASH ? 1 : hash;
  }

  /** Feeds every field, length-prefixed so that field boundaries count, to both checksums. */
  private static final class Both {
    final Checksum crc32c = new CRC32C();
    final Checksum crc32 = new CRC32();

    void number(long value) {
      for (int shift = 56; shift >= 0; shift -= 8) {
        crc32c.update((int) (value >>> shift));
        crc32.update((int) (value >>> shift));
      }
    }

    void bytes(byte[] b) {
      number(b.length);
      crc32c.update(b, 0, b.length);
      crc32.update(b, 0, b.length);
    }

    void string(String s) {
      bytes(s.getBytes(StandardCharsets.UTF_8));
    }
  }
}
