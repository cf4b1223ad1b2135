package org.ferrymq.security.ban;

import java.time.Instant;
import java.util.Objects;

/**
 * One ban.
 *
 * @param kind what it matches
 * @param value the client identifier or user name (exact), or the address or CIDR range
 * @param reason why, for the operator; may be empty
 * @param createdAt when it was added
 */
public record Ban(BanKind kind, String value, String reason, Instant createdAt) {

  /** @throws IllegalArgumentException when the value is empty or not a valid address range */
  public Ban {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(createdAt, "createdAt");
    if (value == null || value.isEmpty()) {
      throw new IllegalArgumentException("a ban needs a value");
    }
    if (kind == BanKind.ADDRESS) {
      AddressRange.parse(value);
      value = value.trim();
    }
    reason = reason == null ? "" : reason;
  }

  /** @return the key that identifies this ban in the list: kind and value */
  String key() {
    return key(kind, value);
  }

  static String key(BanKind kind, String value) {
    return kind.label() + ' ' + (kind == BanKind.ADDRESS ? value.trim() : value);
  }
}
