package org.ferrymq.security.ban;

import java.util.Locale;

/** What a ban matches: the CONNECT's client identifier, the user name, or the peer address. */
public enum BanKind {
  CLIENT_ID("clientId"),
  USERNAME("username"),
  ADDRESS("address");

  private final String label;

  BanKind(String label) {
    this.label = label;
  }

  /** @return the name used in the admin API and the ban file, e.g. {@code clientId} */
  public String label() {
    return label;
  }

  /**
   * @param label {@code clientId}, {@code username} or {@code address} (case-insensitive)
   * @return the kind
   * @throws IllegalArgumentException naming the accepted labels
   */
  public static BanKind of(String label) {
    for (BanKind k : values()) {
      if (label != null && k.label.toLowerCase(Locale.ROOT)
          .equals(label.toLowerCase(Locale.ROOT))) {
        return k;
      }
    }
    throw new IllegalArgumentException("ban kind must be clientId, username or address, not '"
        + label + "'");
  }
}
