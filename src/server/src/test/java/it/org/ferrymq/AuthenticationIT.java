package it.org.ferrymq;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.Signature;
import java.time.Instant;
import java.util.Base64;
import java.util.UUID;
import java.util.stream.Stream;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.ferrymq.packet.Auth;
import org.ferrymq.packet.ConnAck;
import org.ferrymq.packet.Connect;
import org.ferrymq.packet.Properties;
import org.ferrymq.packet.Property;
import org.ferrymq.packet.ProtocolVersion;
import org.ferrymq.packet.ReasonCode;
import org.ferrymq.security.scram.ScramClient;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Authentication against the running server (dev profile, see src/test/liberty/it-security.xml):
 * passwords from Liberty's basicRegistry, JWT passwords (keys fetched from {@link JwksServer}), client certificates on the TLS listener
 * (WANT mode) and SCRAM-SHA-256 over MQTT 5 AUTH. The roles each mechanism yields are observed
 * through the ACL: only the group "sensors" may subscribe below acl/sensors/.
 */
class AuthenticationIT extends ServerIT {

  private static final Path IT_DIR = Path.of(System.getenv("FERRYMQ_IT_DIR"));
  static final String AUDIENCE = "ferrymq-it";

  /** The server fetches the JWT verification key from this JVM. */
  @BeforeAll
  static void serveJwks() throws Exception {
    JwksServer.shared();
  }

  @Test
  void registryPasswordIsAcceptedAndAWrongOneGetsReturnCode4() throws Exception {
    MqttClient bob = connect("tcp://localhost:" + MQTT_PORT, "bob", "bob-secret", null);
    try {
      // bob is in group sensors, so the ACL lets him subscribe there
      assertEquals(1, grantedQos(bob, "acl/sensors/#"));
    } finally {
      Clients.close(bob);
    }

    MqttException wrong = assertThrows(MqttException.class,
        () -> connect("tcp://localhost:" + MQTT_PORT, "bob", "not-bobs", null));
    assertEquals(4, wrong.getReasonCode());
    MqttException unknown = assertThrows(MqttException.class,
        () -> connect("tcp://localhost:" + MQTT_PORT, "nobody", "x", null));
    assertEquals(4, unknown.getReasonCode());
  }

  @Test
  void validEs256JwtFromTheJwksIsAcceptedWithItsGroups() throws Exception {
    String token = JwksServer.shared().current().token(AUDIENCE, Instant.now().plusSeconds(300));

    MqttClient carol = connect("tcp://localhost:" + MQTT_PORT, "carol", token, null);
    try {
      // the groups claim is the role the ACL grants acl/sensors/# to
      assertEquals(1, grantedQos(carol, "acl/sensors/#"));
    } finally {
      Clients.close(carol);
    }
  }

  @Test
  void aRotatedSigningKeyIsAcceptedOnItsFirstUse() throws Exception {
    JwksServer jwks = JwksServer.shared();
    // the server has the current key cached: a token of it is accepted without a fetch
    Clients.close(connect("tcp://localhost:" + MQTT_PORT, "carol",
        jwks.current().token(AUDIENCE, Instant.now().plusSeconds(300)), null));
    int fetchesBefore = jwks.fetches();

    String token = jwks.rotate().token(AUDIENCE, Instant.now().plusSeconds(300));

    // its unknown key id makes Liberty's JWT consumer fetch the JWKS again at once
    Clients.close(connect("tcp://localhost:" + MQTT_PORT, "carol", token, null));
    assertTrue(jwks.fetches() > fetchesBefore, "the new key was fetched for the first login");
  }

  @Test
  void expiredWronglySignedAndWrongAudienceJwtsGetReturnCode4() throws Exception {
    JwksServer.SigningKey key = JwksServer.shared().current();
    String[] refused = {
        key.token(AUDIENCE, Instant.now().minusSeconds(600)),
        key.impostor().token(AUDIENCE, Instant.now().plusSeconds(300)),
        key.token("someone-else", Instant.now().plusSeconds(300)),
        rs256Token(key.kid())};

    for (String token : refused) {
      MqttException e = assertThrows(MqttException.class,
          () -> connect("tcp://localhost:" + MQTT_PORT, "carol", token, null));
      assertEquals(4, e.getReasonCode());
    }
  }

  /** A token signed with another algorithm than the configured ES256 (an RSA key of its own). */
  private static String rs256Token(String kid) throws Exception {
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    String header = b64.encodeToString(("{\"alg\":\"RS256\",\"kid\":\"" + kid + "\"}")
        .getBytes(StandardCharsets.UTF_8));
    String claims = b64.encodeToString(("{\"iss\":\"" + JwksServer.ISSUER + "\",\"aud\":\""
        + AUDIENCE + "\",\"upn\":\"carol\",\"exp\":"
        + Instant.now().plusSeconds(300).getEpochSecond() + "}").getBytes(StandardCharsets.UTF_8));
    Signature rs256 = Signature.getInstance("SHA256withRSA");
    rs256.initSign(KeyPairGenerator.getInstance("RSA").generateKeyPair().getPrivate());
    rs256.update((header + "." + claims).getBytes(StandardCharsets.US_ASCII));
    return header + "." + claims + "." + b64.encodeToString(rs256.sign());
  }

  /** On MQTT over TLS (8883) and on the resource adapter's wss listener, which shares its TLS. */
  static Stream<String> certificateListeners() {
    return Stream.of("ssl://localhost:" + MQTTS_PORT, "wss://localhost:" + WSS_PORT + "/mqtt");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("certificateListeners")
  void clientCertificateBecomesTheIdentity(String uri) throws Exception {
    MqttClient device = connect(uri, null, null, tls(IT_DIR.resolve("it-client.p12")));
    try {
      // CN=device-7 is in group sensors in the registry
      assertEquals(1, grantedQos(device, "acl/sensors/#"));
    } finally {
      Clients.close(device);
    }
    MqttClient anonymous = connect(uri, null, null, tls(null));
    try {
      assertEquals(128, grantedQos(anonymous, "acl/sensors/#"));
    } finally {
      Clients.close(anonymous);
    }
  }

  /** In WANT mode the JDK ignores a certificate it cannot verify: the client stays anonymous. */
  @Test
  void untrustedClientCertificateGivesNoIdentity() throws Exception {
    Path untrusted = Files.createTempDirectory("it-untrusted").resolve("stranger.p12");
    org.ferrymq.transport.netty.SelfSignedKeyStore.createIfMissing(untrusted,
        "it-secret".toCharArray(), "device-7");

    MqttClient impostor = connect("ssl://localhost:" + MQTTS_PORT, null, null, tls(untrusted));
    try {
      assertEquals(128, grantedQos(impostor, "acl/sensors/#"));
    } finally {
      Clients.close(impostor);
    }
  }

  @Test
  void scramSha256OverAuthExchange() throws Exception {
    ScramClient scram = new ScramClient("dave", "scram-secret".toCharArray());

    // Exercise
    ConnAck ack = scramExchange(scram);

    // Verify: accepted, and the server proved it holds the verifier
    assertEquals(ReasonCode.SUCCESS, ack.reasonCode());
    assertTrue(scram.serverVerified(ack.properties().getBytes(Property.AUTHENTICATION_DATA)));
  }

  @Test
  void scramWithAWrongPasswordGets0x86() throws Exception {
    ConnAck ack = scramExchange(new ScramClient("dave", "guess".toCharArray()));

    assertEquals(ReasonCode.BAD_USER_NAME_OR_PASSWORD, ack.reasonCode());
  }

  /**
   * CONNECT with the client-first-message, AUTH 0x18 back with the challenge, AUTH 0x18 with the
   * proof; written with the broker's codec over a plain socket.
   */
  private static ConnAck scramExchange(ScramClient scram) throws Exception {
    try (MqttProbe probe = new MqttProbe(new java.net.Socket("localhost", MQTT_PORT),
        ProtocolVersion.MQTT_5)) {
      probe.send(new Connect(ProtocolVersion.MQTT_5, "it-scram-" + UUID.randomUUID(), true, 30,
          null, null, null, Properties.builder()
              .put(Property.AUTHENTICATION_METHOD, "SCRAM-SHA-256")
              .put(Property.AUTHENTICATION_DATA, scram.first()).build()));
      Auth challenge = assertInstanceOf(Auth.class, probe.receive());
      assertEquals(ReasonCode.CONTINUE_AUTHENTICATION, challenge.reasonCode());
      probe.send(new Auth(ReasonCode.CONTINUE_AUTHENTICATION, Properties.builder()
          .put(Property.AUTHENTICATION_METHOD, "SCRAM-SHA-256")
          .put(Property.AUTHENTICATION_DATA, scram.last(
              challenge.properties().getBytes(Property.AUTHENTICATION_DATA))).build()));
      return assertInstanceOf(ConnAck.class, probe.receive());
    }
  }

  static MqttClient connect(String uri, String user, String password, SSLContext tls)
      throws MqttException {
    return connect(uri, user, password, tls, null);
  }

  /** Connects with MQTT 3.1.1, optionally with credentials, TLS and a Will on {@code willTopic}. */
  static MqttClient connect(String uri, String user, String password, SSLContext tls,
      String willTopic) throws MqttException {
    MqttClient client = new MqttClient(uri, "it-" + UUID.randomUUID(), new MemoryPersistence());
    MqttConnectOptions options = new MqttConnectOptions();
    options.setCleanSession(true);
    options.setConnectionTimeout(10);
    options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
    if (willTopic != null) {
      options.setWill(willTopic, "gone".getBytes(StandardCharsets.UTF_8), 1, false);
    }
    if (user != null) {
      options.setUserName(user);
      options.setPassword(password.toCharArray());
    }
    if (tls != null) {
      options.setSocketFactory(tls.getSocketFactory());
    }
    try {
      client.connect(options);
    } catch (MqttException e) {
      client.close();
      throw e;
    }
    return client;
  }

  static int grantedQos(MqttClient client, String filter) throws MqttException {
    IMqttToken token = client.subscribeWithResponse(new String[] {filter}, new int[] {1});
    return token.getGrantedQos()[0];
  }

  /** Trusts the server; presents the client key store when given. */
  private static SSLContext tls(Path clientKeys) throws Exception {
    SSLContext server = serverTrust();
    if (clientKeys == null) {
      return server;
    }
    KeyStore keys = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(clientKeys)) {
      keys.load(in, "it-secret".toCharArray());
    }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(keys, "it-secret".toCharArray());
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(serverKeyStore());
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
    return context;
  }
}
