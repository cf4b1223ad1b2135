package org.ferrymq.security.ban;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * An IPv4 or IPv6 address or CIDR range ({@code 10.0.0.0/8}, {@code 2001:db8::/32}), parsed from
 * a literal only: a host name is refused rather than resolved, so a ban never waits on DNS.
 */
public final class AddressRange {
  private final byte[] network;
  private final int prefixBits;

  private AddressRange(byte[] network, int prefixBits) {
    this.network = network;
    this.prefixBits = prefixBits;
  }

  /**
   * @param text an address literal, optionally followed by {@code /prefix}
   * @return the range
   * @throws IllegalArgumentException when it is not an address literal or the prefix is out of
   *     range
   */
  public static AddressRange parse(String text) {
    String trimmed = text == null ? "" : text.trim();
    int slash = trimmed.indexOf('/');
    String address = slash < 0 ? trimmed : trimmed.substring(0, slash);
    if (address.isEmpty() || !address.chars().allMatch(c -> Character.digit(c, 16) >= 0
        || c == '.' || c == ':')) {
      throw new IllegalArgumentException("not an IPv4 or IPv6 address: '" + text + "'");
    }
    byte[] bytes;
    try {
      bytes = InetAddress.getByName(address).getAddress();
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("not an IPv4 or IPv6 address: '" + text + "'");
    }
    int maxBits = bytes.length * 8;
    int prefix = maxBits;
    if (slash >= 0) {
      try {
        prefix = Integer.parseInt(trimmed.substring(slash + 1));
      } catch (NumberFormatException e) {
        prefix = -1;
      }
      if (prefix < 0 || prefix > maxBits) {
        throw new IllegalArgumentException("CIDR prefix must be 0.." + maxBits + ": '" + text
            + "'");
      }
    }
    return new AddressRange(bytes, prefix);
  }

  /** @return whether the address lies in this range; addresses of the other family never do */
  public boolean contains(InetAddress address) {
    byte[] candidate = address.getAddress();
    if (candidate.length != network.length) {
      return false;
    }
    int fullBytes = prefixBits / 8;
    for (int i = 0; i < fullBytes; i++) {
      if (candidate[i] != network[i]) {
        return false;
      }
    }
    int restBits = prefixBits % 8;
    if (restBits == 0) {
      return true;
    }
    int mask = (0xFF << (8 - restBits)) & 0xFF;
    return (candidate[fullBytes] & mask) == (network[fullBytes] & mask);
  }
}
