package org.ferrymq.engine;

import java.util.Locale;

/**
 * A cap on durable state a client can make the broker keep. Past one, the broker refuses with
 * reason 0x97 Quota exceeded (or the MQTT 3 equivalent), counts the refusal and logs it once per
 * client.
 */
public enum QuotaCap {
  /** Sessions kept at once, connected or not ({@code mqtt.max-sessions}). */
  SESSIONS("mqtt.max-sessions"),
  /** Sessions with a non-zero expiry ({@code mqtt.max-persistent-sessions}). */
  PERSISTENT_SESSIONS("mqtt.max-persistent-sessions"),
  /** Subscriptions of one session ({@code mqtt.max-subscriptions-per-client}). */
  SUBSCRIPTIONS("mqtt.max-subscriptions-per-client"),
  /** Retained messages across the broker ({@code mqtt.retained.max-messages}). */
  RETAINED_COUNT("mqtt.retained.max-messages"),
  /** Bytes of retained messages across the broker ({@code mqtt.retained.max-bytes}). */
  RETAINED_BYTES("mqtt.retained.max-bytes");

  private final String setting;

  QuotaCap(String setting) {
    this.setting = setting;
  }

  /** @return the setting that sets this cap */
  public String setting() {
    return setting;
  }

  /** @return the lower-case name used as a metric label, e.g. {@code persistent_sessions} */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
