package org.ferrymq.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.ferrymq.packet.ConnAck;
import org.ferrymq.packet.Connect;
import org.ferrymq.packet.Properties;
import org.ferrymq.packet.ProtocolVersion;
import org.ferrymq.packet.ReasonCode;
import org.ferrymq.security.AuthenticationResult;
import org.ferrymq.security.ClientIdentity;
import org.ferrymq.security.limit.LoginThrottle;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Failed logins throttled per source address and per user name, end to end through CONNECT:
 * 3 failures per window, then refusals that never reach the authenticator, with the MQTT 5 and
 * 3.1.1 codes, and recovery once the back-off (1 s on the throttle's hand-moved clock) is over.
 */
class LoginThrottlingTest {

  private static final long SECOND = 1_000_000_000L;
  private final AtomicLong nanos = new AtomicLong(SECOND);
  private final AtomicInteger checks = new AtomicInteger();
  private MqttBroker sut;

  @BeforeEach
  void start() {
    sut = MqttBroker.builder().config(TestBrokers.config())
        .loginThrottle(new LoginThrottle(3, 60, 300, 1000, nanos::get))
        .authenticator(request -> {
          checks.incrementAndGet();
          return "right".equals(new String(request.password(), StandardCharsets.UTF_8))
              ? new AuthenticationResult.Success(new ClientIdentity(request.clientId(),
                  request.username(), Set.of()))
              : new AuthenticationResult.Failure(ReasonCode.BAD_USER_NAME_OR_PASSWORD,
                  "wrong password");
        }).build();
    sut.start();
  }

  @AfterEach
  void stop() {
    sut.stop();
  }

  private ConnAck login(ProtocolVersion v, String address, String user, String password) {
    TestClient c = new TestClient(sut, v,
        new FakeTransport(v, new InetSocketAddress(address, 40000)));
    return c.connectWith(new Connect(v, "", true, 60, null, user,
        password.getBytes(StandardCharsets.UTF_8), Properties.EMPTY));
  }

  @Test
  void anAddressWithTooManyFailuresIsRefusedUncheckedThenRecovers() {
    for (String user : new String[] {"a", "b", "c"}) {
      assertEquals(ReasonCode.BAD_USER_NAME_OR_PASSWORD,
          login(ProtocolVersion.MQTT_5, "192.0.2.10", user, "wrong").reasonCode());
    }

    // Verify: even the right password is refused now, without asking the authenticator
    assertEquals(ReasonCode.CONNECTION_RATE_EXCEEDED,
        login(ProtocolVersion.MQTT_5, "192.0.2.10", "d", "right").reasonCode());
    assertEquals(5, login(ProtocolVersion.MQTT_3_1_1, "192.0.2.10", "d", "right")
        .reasonCode().v3ConnectReturnCode(), "MQTT 3.1.1: return code 5 Not authorized");
    assertEquals(3, checks.get());
    assertEquals(ReasonCode.SUCCESS,
        login(ProtocolVersion.MQTT_5, "192.0.2.11", "d", "right").reasonCode(),
        "another address is served");
    AuthStats stats = sut.authStats();
    assertEquals(3, stats.failures());
    assertEquals(2, stats.throttled());

    nanos.addAndGet(SECOND);
    assertEquals(ReasonCode.SUCCESS,
        login(ProtocolVersion.MQTT_5, "192.0.2.10", "d", "right").reasonCode());
  }

  @Test
  void aUserNameWithTooManyFailuresIsRefusedFromEveryAddressThenRecovers() {
    for (int i = 1; i <= 3; i++) {
      assertEquals(4, login(ProtocolVersion.MQTT_3_1_1, "198.51.100." + i, "bob", "wrong")
          .reasonCode().v3ConnectReturnCode(), "3.1.1 return code 4 Bad user name or password");
    }

    assertEquals(ReasonCode.CONNECTION_RATE_EXCEEDED,
        login(ProtocolVersion.MQTT_5, "198.51.100.50", "bob", "right").reasonCode());
    assertEquals(ReasonCode.SUCCESS,
        login(ProtocolVersion.MQTT_5, "198.51.100.50", "alice", "right").reasonCode());
    assertEquals(4, checks.get(), "the throttled attempt was not checked");

    nanos.addAndGet(SECOND);
    assertEquals(ReasonCode.SUCCESS,
        login(ProtocolVersion.MQTT_5, "198.51.100.50", "bob", "right").reasonCode());
  }
}
