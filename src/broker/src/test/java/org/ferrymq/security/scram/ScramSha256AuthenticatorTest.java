package org.ferrymq.security.scram;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import org.ferrymq.config.ConfigException;
import org.ferrymq.packet.ProtocolVersion;
import org.ferrymq.packet.ReasonCode;
import org.ferrymq.security.ConnectRequest;
import org.ferrymq.security.EnhancedAuthenticator.AuthStep;
import org.ferrymq.security.EnhancedAuthenticator.Exchange;
import org.ferrymq.transport.TransportInfo;
import org.ferrymq.transport.TransportKind;
import org.junit.jupiter.api.Test;

class ScramSha256AuthenticatorTest {

  private static final ConnectRequest REQUEST = new ConnectRequest("c1", null, null,
      new TransportInfo(TransportKind.TLS, null), ProtocolVersion.MQTT_5);

  private final ScramSha256Authenticator sut = new ScramSha256Authenticator(
      ScramCredentials.parse(List.of(
          ScramTool.entry("alice", "wonderland".toCharArray(), 4096, Set.of("readers"))
              .toLine()), "mqtt.scram.file"));

  /** RFC 7677 section 3: the example exchange's proof and server signature. */
  @Test
  void rfc7677Vector() {
    byte[] salt = Base64.getDecoder().decode("W22ZaJ0SNY7soEsUEjb6gQ==");
    String authMessage = "n=user,r=rOprNGfwEbeRWgbNEkqO,"
        + "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,"
        + "i=4096,c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
    byte[] am = authMessage.getBytes(StandardCharsets.US_ASCII);

    // Exercise
    byte[] salted = Scram.saltedPassword("pencil".toCharArray(), salt, 4096);
    byte[] clientKey = Scram.clientKey(salted);
    byte[] proof = Scram.xor(clientKey, Scram.hmac(Scram.sha256(clientKey), am));
    byte[] serverSignature = Scram.hmac(Scram.serverKey(salted), am);

    // Verify
    assertEquals("dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
        Base64.getEncoder().encodeToString(proof));
    assertEquals("6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=",
        Base64.getEncoder().encodeToString(serverSignature));
  }

  @Test
  void rightPasswordSucceedsAndTheServerProvesItself() {
    ScramClient client = new ScramClient("alice", "wonderland".toCharArray());
    Exchange exchange = sut.start(REQUEST);

    // Exercise
    AuthStep first = exchange.next(client.first());
    AuthStep last = exchange.next(client.last(((AuthStep.Continue) first).serverData()));

    // Verify
    AuthStep.Success success = assertInstanceOf(AuthStep.Success.class, last);
    assertEquals("alice", success.identity().username());
    assertEquals(Set.of("readers"), success.identity().roles());
    assertTrue(client.serverVerified(success.serverData()));
  }

  @Test
  void wrongPasswordAndUnknownUserFailAlike() {
    for (String user : new String[] {"alice", "mallory"}) {
      ScramClient client = new ScramClient(user, "guess".toCharArray());
      Exchange exchange = sut.start(REQUEST);

      AuthStep first = exchange.next(client.first());
      AuthStep last = exchange.next(client.last(((AuthStep.Continue) first).serverData()));

      AuthStep.Failure failure = assertInstanceOf(AuthStep.Failure.class, last);
      assertEquals(ReasonCode.BAD_USER_NAME_OR_PASSWORD, failure.reasonCode());
    }
  }

  @Test
  void channelBindingAndTamperedNonceAreRefused() {
    Exchange binding = sut.start(REQUEST);
    assertInstanceOf(AuthStep.Failure.class,
        binding.next("p=tls-unique,,n=alice,r=abc".getBytes(StandardCharsets.UTF_8)));

    ScramClient client = new ScramClient("alice", "wonderland".toCharArray());
    Exchange exchange = sut.start(REQUEST);
    AuthStep first = exchange.next(client.first());
    byte[] last = client.last(((AuthStep.Continue) first).serverData());
    String tampered = new String(last, StandardCharsets.UTF_8).replace(",r=", ",r=x");
    assertInstanceOf(AuthStep.Failure.class,
        exchange.next(tampered.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void credentialFileRoundTripsAndRejectsWeakEntries() {
    ScramCredentials.Entry entry =
        ScramTool.entry("bob", "pw".toCharArray(), 4096, Set.of("a", "b"));

    ScramCredentials parsed = ScramCredentials.parse(List.of("# c", entry.toLine()), "k");

    assertArrayEquals(entry.storedKey(), parsed.find("bob").orElseThrow().storedKey());
    ConfigException weak = assertThrows(ConfigException.class, () -> ScramCredentials.parse(
        List.of(entry.toLine().replace(":4096:", ":1000:")), "mqtt.scram.file"));
    assertTrue(weak.getMessage().startsWith("Invalid configuration 'mqtt.scram.file': line 1"));
  }
}
