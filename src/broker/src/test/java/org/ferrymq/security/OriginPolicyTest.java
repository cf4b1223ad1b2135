package org.ferrymq.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.ferrymq.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class OriginPolicyTest {
  private static final String KEY = "mqtt.websocket.allowed-origins";

  @Test
  void byDefaultOnlyPagesOfTheRequestsOwnHostAndNonBrowsersAreAllowed() {
    OriginPolicy p = OriginPolicy.sameHostOnly();

    assertTrue(p.allows(null, "broker.example:8083"), "no Origin: not a browser");
    assertTrue(p.allows("https://broker.example", "broker.example:8084"), "any port");
    assertTrue(p.allows("http://BROKER.example:9080", "broker.example"), "case");
    assertTrue(p.allows("http://[::1]:9080", "[::1]:8083"), "IPv6 literal");
    assertFalse(p.allows("https://evil.example", "broker.example:8084"));
    assertFalse(p.allows("https://broker.example.evil.example", "broker.example"));
    assertFalse(p.allows("https://broker.example", null), "no Host to compare with");
    assertFalse(p.allows("null", "broker.example"), "opaque origin");
    assertEquals(4, p.refusals());
  }

  @Test
  void listedOriginsAreComparedWithoutDefaultPortsAndCase() {
    OriginPolicy p = OriginPolicy.parse(" https://app.example.com , http://localhost:3000", KEY);

    assertTrue(p.allows("https://app.example.com:443", "broker.example"));
    assertTrue(p.allows("HTTPS://App.Example.com", "broker.example"));
    assertTrue(p.allows("http://localhost:3000", "broker.example"));
    assertFalse(p.allows("http://localhost:3001", "broker.example"));
    assertFalse(p.allows("http://app.example.com", "broker.example"), "scheme counts");
  }

  @Test
  void aStarAllowsEveryOrigin() {
    OriginPolicy p = OriginPolicy.parse("*", KEY);

    assertTrue(p.allows("https://anything.example", "broker.example"));
    assertTrue(p.allows("null", "broker.example"));
    assertEquals(0, p.refusals());
  }

  @ParameterizedTest
  @ValueSource(strings = {"app.example.com", "ftp://app.example.com", "https://app.example.com/x",
      "https://user@app.example.com", "https://", "http://a b"})
  void anEntryThatIsNotAnOriginFailsNamingTheSetting(String entry) {
    ConfigException e = assertThrows(ConfigException.class,
        () -> OriginPolicy.parse("https://ok.example," + entry, KEY));
    assertTrue(e.getMessage().contains(KEY), e.getMessage());
    assertTrue(e.getMessage().contains(entry.trim()), e.getMessage());
  }

  @Test
  void aFloodOfOriginsIsCountedButLoggedAtMostAHundredTimes() {
    OriginPolicy p = OriginPolicy.sameHostOnly();
    for (int i = 0; i < 10_000; i++) {
      p.allows("https://site" + i + ".example", "broker.example");
    }
    assertEquals(10_000, p.refusals());
  }
}
