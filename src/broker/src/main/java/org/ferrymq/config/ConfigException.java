package org.ferrymq.config;

/** An invalid setting; the message names the key, the value and what is allowed. */
public class ConfigException extends RuntimeException {
  private final String key;

  public ConfigException(String key, String message) {
    super("Invalid configuration '" + key + "': " + message);
    this.key = key;
  }

  public String key() {
    return key;
  }
}
