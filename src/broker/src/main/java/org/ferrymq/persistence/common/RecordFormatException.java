package org.ferrymq.persistence.common;

import java.io.IOException;

/** A stored record that cannot be read: wrong checksum, unknown kind or version, bad content. */
public final class RecordFormatException extends IOException {
  private static final long serialVersionUID = 1L;

  public RecordFormatException(String message) {
    super(message);
  }

  public RecordFormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
