package org.ferrymq.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.ferrymq.config.ConfigException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** The mqtt.cluster.* settings: off by default, and a bad value names its key. */
class ClusterConfigTest {

  private static ClusterConfig read(String... keyValues) {
    Map<String, String> values = new HashMap<>();
    values.put("mqtt.cluster.enabled", "true");
    values.put("mqtt.cluster.secret", "0123456789abcdef");
    for (int i = 0; i + 1 < keyValues.length; i += 2) {
      values.put(keyValues[i], keyValues[i + 1]);
    }
    return ClusterConfig.from(k -> Optional.ofNullable(values.get(k)));
  }

  @Test
  void clusteringIsOffByDefault() {
    ClusterConfig sut = ClusterConfig.from(k -> Optional.empty());

    assertFalse(sut.enabled());
  }

  @Test
  void anEnabledClusterReadsEverySetting() {
    ClusterConfig sut = read("mqtt.cluster.name", "plant-7", "mqtt.cluster.host", "10.0.0.5",
        "mqtt.cluster.port", "5801", "mqtt.cluster.members", " 10.0.0.6:5801, node-c:5801 ",
        "mqtt.cluster.backup-count", "2", "mqtt.cluster.forward-timeout", "15",
        "mqtt.cluster.handover-timeout", "4", "mqtt.cluster.handover-grace", "30",
        "mqtt.cluster.reconcile-interval", "2");

    assertTrue(sut.enabled());
    assertEquals("plant-7", sut.name());
    assertEquals("10.0.0.5", sut.host());
    assertEquals(5801, sut.port());
    assertEquals(List.of("10.0.0.6:5801", "node-c:5801"), sut.members());
    assertEquals(2, sut.backupCount());
    assertEquals(15, sut.forwardTimeoutSeconds());
    assertEquals(4, sut.handoverTimeoutSeconds());
    assertEquals(30, sut.handoverGraceSeconds());
    assertEquals(10, read().handoverGraceSeconds(), "the grace period's default");
    assertEquals(2, sut.reconcileSeconds());
    assertEquals(5, read().reconcileSeconds(), "the reconciliation's default");
    assertFalse(sut.toString().contains("0123456789abcdef"), "the secret is never printed");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "''|1|false",
      "a:1|1|false",
      "a:1,b:1|2|true",
      "a:1,b:1,c:1|2|true",
      "a:1,b:1,c:1,d:1|3|true",
      "a:1,b:1,c:1,d:1,e:1|3|true"})
  void splitBrainProtectionDefaultsToAMajorityOfTheMemberList(String members, int expected,
      boolean protectedSides) {
    ClusterConfig sut = read("mqtt.cluster.members", members);

    assertEquals(expected, sut.minMembers());
    assertEquals(protectedSides, sut.splitBrainProtected());
  }

  @Test
  void minMembersCanBeSetOrTurnedOff() {
    assertEquals(1, read("mqtt.cluster.members", "a:1,b:1,c:1", "mqtt.cluster.min-members", "1")
        .minMembers());
    assertFalse(read("mqtt.cluster.members", "a:1,b:1,c:1", "mqtt.cluster.min-members", "1")
        .splitBrainProtected());
    assertEquals(3, read("mqtt.cluster.members", "a:1,b:1,c:1", "mqtt.cluster.min-members", "3")
        .minMembers());
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "mqtt.cluster.enabled|yes",
      "mqtt.cluster.secret|too-short",
      "mqtt.cluster.port|0",
      "mqtt.cluster.port|http",
      "mqtt.cluster.members|10.0.0.6",
      "mqtt.cluster.members|10.0.0.6:99999",
      "mqtt.cluster.name|two words",
      "mqtt.cluster.backup-count|7",
      "mqtt.cluster.forward-timeout|0",
      "mqtt.cluster.min-members|0",
      "mqtt.cluster.min-members|half",
      "mqtt.cluster.handover-timeout|0",
      "mqtt.cluster.handover-timeout|301",
      "mqtt.cluster.handover-grace|0",
      "mqtt.cluster.handover-grace|301",
      "mqtt.cluster.handover-grace|5s",
      "mqtt.cluster.reconcile-interval|0",
      "mqtt.cluster.reconcile-interval|3601"})
  void aBadValueFailsWithTheNameOfItsSetting(String key, String value) {
    ConfigException e = assertThrows(ConfigException.class, () -> read(key, value));

    assertEquals(key, e.key());
    assertTrue(e.getMessage().contains(key), e.getMessage());
  }
}
