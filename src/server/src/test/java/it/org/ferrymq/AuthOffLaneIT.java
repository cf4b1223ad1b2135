package it.org.ferrymq;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;

/**
 * Credential checks run off the session lanes, on the running server: the JWKS endpoint the
 * server verifies JWT passwords with ({@link JwksServer}, in this JVM) holds the fetch a JWT
 * login triggers for up to 10 s, and meanwhile 24 Paho MQTT 5 clients (half anonymous, half with a
 * registry password, so their checks also take the credential-check threads), spread over the
 * lanes by their client ids, connect, publish QoS 1 and get their PUBACKs. The assertion is on
 * order: every PUBACK arrived while the fetch still hung and the JWT login still waited. The
 * test then ends the hang and the JWT login completes.
 */
class AuthOffLaneIT extends ServerIT {

  private static final Duration HANG = Duration.ofSeconds(10);
  private static final int CLIENTS = 24;

  @Test
  void aJwksEndpointThatHangsTenSecondsDelaysNoOtherClientsPubAck() throws Exception {
    JwksServer jwks = JwksServer.shared();
    // A key the server has not seen yet: the login fetches the keys again (key rotation)
    String token = jwks.rotate().token(AuthenticationIT.AUDIENCE, Instant.now().plusSeconds(600));
    ExecutorService background = Executors.newCachedThreadPool();
    AtomicReference<Future<MqttClient>> jwtLogin = new AtomicReference<>();
    jwks.hangFetches(HANG);
    try {
      // The unknown key id makes the first attempt fetch the keys, which hangs; the loop only
      // retries should an attempt end before its fetch was seen
      await("a JWT login's key fetch hangs").atMost(Duration.ofSeconds(90))
          .pollInterval(Duration.ofSeconds(2)).until(() -> {
            if (jwks.hanging() > 0) {
              return true;
            }
            Future<MqttClient> attempt = jwtLogin.get();
            if (attempt == null || attempt.isDone()) {
              jwtLogin.set(background.submit(() -> AuthenticationIT.connect(
                  "tcp://localhost:" + MQTT_PORT, "carol", token, null)));
            }
            return false;
          });
      Future<MqttClient> waiting = jwtLogin.get();

      // Exercise: while the fetch hangs, the other clients connect and publish QoS 1
      List<Future<Long>> pubAcks = new ArrayList<>();
      for (int i = 0; i < CLIENTS; i++) {
        int n = i;
        pubAcks.add(background.submit(() -> connectPublishAndTime(n)));
      }
      long worst = 0;
      for (Future<Long> pubAck : pubAcks) {
        worst = Math.max(worst, pubAck.get(HANG.toSeconds(), TimeUnit.SECONDS));
      }

      // Verify: all of that happened while the fetch hung and the JWT login waited
      assertTrue(jwks.hanging() > 0, "the JWKS fetch was still hanging");
      assertFalse(waiting.isDone(), "the JWT login was still waiting for its keys");
      System.out.println("AuthOffLaneIT: " + CLIENTS + " clients connected and got PUBACK "
          + "while a JWKS fetch hung; slowest CONNECT-to-PUBACK " + worst + " ms");

      jwks.endHang();
      MqttClient carol = waiting.get(20, TimeUnit.SECONDS);
      assertTrue(carol.isConnected(), "the JWT login completes once the keys arrive");
      Clients.close(carol);
    } finally {
      jwks.endHang();
      background.shutdownNow();
    }
  }

  /** @return milliseconds from the start of CONNECT to the PUBACK of one QoS 1 PUBLISH */
  private static long connectPublishAndTime(int n) throws Exception {
    long start = System.nanoTime();
    org.eclipse.paho.mqttv5.client.MqttClient client =
        new org.eclipse.paho.mqttv5.client.MqttClient("tcp://localhost:" + MQTT_PORT,
            "it-offlane-" + n + "-" + UUID.randomUUID(), new MemoryPersistence());
    MqttConnectionOptions options = new MqttConnectionOptions();
    options.setCleanStart(true);
    options.setConnectionTimeout(10);
    if (n % 2 == 0) {
      options.setUserName("bob");
      options.setPassword("bob-secret".getBytes(StandardCharsets.UTF_8));
    }
    try {
      client.connect(options);
      // Synchronous: returns once the PUBACK arrived
      client.publish("it/offlane/" + n, "m".getBytes(StandardCharsets.UTF_8), 1, false);
      long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      client.disconnect();
      return millis;
    } finally {
      client.close();
    }
  }

  @Test
  void theAuthMetricsAreExported() throws Exception {
    // The first scrape of a loaded server can take longer than one request's 10 s, and the
    // gauges appear once the web module has started
    AtomicReference<String> body = new AtomicReference<>("");
    await("/metrics lists the auth gauges").atMost(Duration.ofSeconds(90)).ignoreExceptions()
        .until(() -> {
          body.set(get("/metrics?scope=application").body());
          return body.get().contains("ferrymq_auth_failures");
        });

    for (String name : new String[] {"ferrymq_auth_throttled", "ferrymq_auth_refused_busy",
        "ferrymq_auth_checks_pending", "ferrymq_auth_throttle_tracked"}) {
      assertTrue(body.get().contains(name), name + " in " + body.get());
    }
  }
}
