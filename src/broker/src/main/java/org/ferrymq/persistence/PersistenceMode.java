package org.ferrymq.persistence;

import java.util.Locale;

/** What survives a restart; the value of {@code mqtt.persistence}. */
public enum PersistenceMode {
  /** In memory only: a restart forgets sessions, queues and retained messages. */
  NONE,
  /**
   * Sessions, subscriptions, retained messages and offline queues are written to the store and
   * committed every sync interval; they survive a clean restart, and a crash loses at most the
   * last interval.
   */
  QUEUED,
  /**
   * Additionally every QoS 1/2 message is synced to disk before PUBACK/PUBREC, so what a
   * publisher saw acknowledged survives {@code kill -9} and power loss.
   */
  PERSISTENT;

  /** @return the configuration value, e.g. {@code queued} */
  public String value() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * @param value {@code none}, {@code queued} or {@code persistent}, in any case
   * @return the mode
   * @throws IllegalArgumentException for any other value
   */
  public static PersistenceMode of(String value) {
    for (PersistenceMode m : values()) {
      if (m.value().equalsIgnoreCase(value.trim())) {
        return m;
      }
    }
    throw new IllegalArgumentException("expected none, queued or persistent but was '" + value
        + "'");
  }
}
