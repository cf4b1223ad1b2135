package org.ferrymq.packet;

import java.util.Objects;

/** One MQTT 5 User Property: a UTF-8 name/value pair, kept in order, duplicates allowed. */
public record UserProperty(String name, String value) {
  public UserProperty {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(value, "value");
  }
}
