package org.ferrymq.web.admin;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;

/** How the admin API writes a payload in JSON: as UTF-8 text, or base64 for any bytes. */
enum PayloadEncoding {
  TEXT, BASE64;

  String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** @throws IllegalArgumentException naming the accepted encodings, or the bad base64 */
  static PayloadEncoding of(String label) {
    if (label == null || label.equalsIgnoreCase("text")) {
      return TEXT;
    }
    if (label.equalsIgnoreCase("base64")) {
      return BASE64;
    }
    throw new IllegalArgumentException("encoding must be text or base64, not '" + label + "'");
  }

  /** @return the payload's bytes */
  byte[] decode(String payload) {
    String value = payload == null ? "" : payload;
    if (this == TEXT) {
      return value.getBytes(StandardCharsets.UTF_8);
    }
    try {
      return Base64.getDecoder().decode(value);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("payload is not valid base64: " + e.getMessage());
    }
  }
}
