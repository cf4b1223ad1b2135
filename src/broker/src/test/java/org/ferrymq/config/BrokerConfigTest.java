package org.ferrymq.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BrokerConfigTest {

  private static BrokerConfig from(Map<String, String> values) {
    return BrokerConfig.from(key -> Optional.ofNullable(values.get(key)));
  }

  @Test
  void everyDefaultIsValid() {
    // Exercise
    BrokerConfig sut = BrokerConfig.defaults();

    // Verify
    assertEquals(1_048_576, sut.maxPacketSize());
    assertEquals(QueueFullPolicy.DROP_OLDEST, sut.queueFullPolicy());
    assertEquals(SharedStrategy.ROUND_ROBIN, sut.sharedStrategy());
    assertEquals(2 * Runtime.getRuntime().availableProcessors(), sut.lanes());
    assertTrue(sut.retainAvailable());
    assertEquals(604_800, sut.maxSessionExpiry(), "finite: 7 days");
    assertEquals(604_800, sut.v3SessionExpiry());
    assertEquals(1_000_000, sut.maxSessions());
    assertEquals(100_000, sut.maxPersistentSessions());
    assertEquals(10_000, sut.maxSubscriptionsPerClient());
    assertEquals(1_000_000, sut.maxRetainedMessages());
    assertEquals(268_435_456L, sut.maxRetainedBytes());
  }

  @Test
  void valuesAreTrimmedAndEnumsAcceptKebabCase() {
    BrokerConfig sut = from(Map.of(
        "mqtt.queue.full-policy", " reject-new ",
        "mqtt.shared-subscriptions.strategy", "least-loaded",
        "mqtt.max-packet-size", "65536",
        "mqtt.retain-available", "FALSE"));

    assertEquals(QueueFullPolicy.REJECT_NEW, sut.queueFullPolicy());
    assertEquals(SharedStrategy.LEAST_LOADED, sut.sharedStrategy());
    assertEquals(65_536, sut.maxPacketSize());
    assertEquals(false, sut.retainAvailable());
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "mqtt.max-packet-size | lots | 'lots' is not a whole number",
      "mqtt.max-packet-size | 0 | 0 is outside 16..268435460",
      "mqtt.maximum-qos | 3 | 3 is outside 0..2",
      "mqtt.retain-available | yes | 'yes' is not true or false",
      "mqtt.queue.full-policy | drop-newest | 'drop-newest' is not one of drop-oldest, reject-new",
      "mqtt.max-topic-levels | 5000 | 5000 is outside 1..1024",
      "mqtt.max-session-expiry | 4294967296 | 4294967296 is outside 0..4294967295",
      "mqtt.max-sessions | 0 | 0 is outside 1..2147483647",
      "mqtt.max-persistent-sessions | 2000000 | 2000000 must not exceed mqtt.max-sessions (1000000)",
      "mqtt.max-subscriptions-per-client | -1 | -1 is outside 1..2147483647",
      "mqtt.retained.max-messages | many | 'many' is not a whole number",
      "mqtt.retained.max-bytes | 0 | 0 is outside 1..9223372036854775807",
      "mqtt.auth.threads | 0 | 0 is outside 1..256",
      "mqtt.auth.queue | many | 'many' is not a whole number",
      "mqtt.auth.throttle.failures | -1 | -1 is outside 0..1000000",
      "mqtt.auth.throttle.window | 0 | 0 is outside 1..86400",
      "mqtt.auth.throttle.max-backoff | 100000 | 100000 is outside 1..86400",
      "mqtt.auth.throttle.max-tracked | 10 | 10 is outside 1000..10000000"})
  void invalidValueStopsWithMessageNamingTheKey(String key, String value, String problem) {
    // Exercise
    ConfigException e = assertThrows(ConfigException.class, () -> from(Map.of(key, value)));

    // Verify
    assertEquals(key, e.key());
    assertEquals("Invalid configuration '" + key + "': " + problem, e.getMessage());
  }

  @Test
  void environmentVariableFollowsMicroProfileConfigMapping() {
    assertEquals("MQTT_MAX_PACKET_SIZE", Setting.MAX_PACKET_SIZE.environmentVariable());
    assertEquals("MQTT_QUEUE_FULL_POLICY", Setting.QUEUE_FULL_POLICY.environmentVariable());
    assertEquals("MQTT_SHARED_SUBSCRIPTIONS_STRATEGY",
        Setting.SHARED_STRATEGY.environmentVariable());
  }

  @Test
  void everySettingDefaultParses() {
    for (Setting s : Setting.values()) {
      // Exercise: each default, given explicitly, is accepted
      BrokerConfig.from(key -> key.equals(s.key()) ? Optional.of(s.defaultValue())
          : Optional.empty());
    }
  }
}
