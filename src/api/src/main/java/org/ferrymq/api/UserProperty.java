package org.ferrymq.api;

import java.util.Objects;

/**
 * One MQTT 5 user property: a name and value pair; a message may carry the same name more than
 * once, and the order is kept.
 *
 * @param name the property name
 * @param value the property value
 */
public record UserProperty(String name, String value) {

  public UserProperty {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(value, "value");
  }
}
