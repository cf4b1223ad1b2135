package org.ferrymq.bench;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One measured result: its identifying keys (scenario, qos, transport, broker) and its metrics,
 * printed as a row of the human table and as one machine-readable {@code RESULT k=v ...} line.
 */
final class Result {
  private final Map<String, String> fields = new LinkedHashMap<>();

  Result(String scenario, String broker, String transport) {
    put("scenario", scenario);
    put("transport", transport);
    put("broker", broker);
  }

  Result put(String key, String value) {
    if (key.isEmpty() || !key.matches("[a-z0-9_]+")) {
      throw new IllegalArgumentException("result keys are lower-case words: " + key);
    }
    fields.put(key, value.isEmpty() ? "-" : value.replaceAll("[\\s=]+", "_"));
    return this;
  }

  Result put(String key, long value) {
    return put(key, Long.toString(value));
  }

  /** Puts a decimal with {@code decimals} digits after the point, locale-independent. */
  Result put(String key, double value, int decimals) {
    return put(key, String.format(Locale.ROOT, "%." + decimals + "f", value));
  }

  String get(String key) {
    return fields.get(key);
  }

  /** @return {@code RESULT k=v k=v ...} with the fields in insertion order */
  String line() {
    StringBuilder sb = new StringBuilder("RESULT");
    fields.forEach((k, v) -> sb.append(' ').append(k).append('=').append(v));
    return sb.toString();
  }
}
