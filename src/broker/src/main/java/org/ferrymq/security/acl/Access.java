package org.ferrymq.security.acl;

import java.util.Locale;

/** What an ACL rule grants, or that it denies. */
public enum Access {
  /** Subscribe (receive). */
  READ,
  /** Publish, including the Will. */
  WRITE,
  /** Both. */
  READWRITE,
  /** Neither: refuses what the rule's filter overlaps, before any grant of the same section. */
  DENY;

  boolean grantsRead() {
    return this == READ || this == READWRITE;
  }

  boolean grantsWrite() {
    return this == WRITE || this == READWRITE;
  }

  static Access parse(String word) {
    try {
      return valueOf(word.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
