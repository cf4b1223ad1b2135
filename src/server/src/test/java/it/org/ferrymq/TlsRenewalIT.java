package it.org.ferrymq;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.ferrymq.testing.AnyServerCertificate;
import org.ferrymq.transport.netty.SelfSignedKeyStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 15 on a real Liberty server: the MQTT TLS listener takes its certificate from Liberty's
 * SSL configuration, so a certificate replaced on disk is served on 8883 to new connections
 * within the key store's polling interval ({@code ferrymq.keystore.polling-rate}, 5 s), without
 * a restart, and it is the same certificate HTTPS serves. A second server ({@link
 * DurableServer}) because the test rewrites its key store.
 */
class TlsRenewalIT {
  private static DurableServer server;

  @BeforeAll
  static void start() throws Exception {
    server = DurableServer.create();
    server.start(Map.of());
  }

  @AfterAll
  static void stop() throws IOException {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void aCertificateReplacedOnDiskIsServedOnTheMqttTlsPortWithoutARestart() throws Exception {
    String before = fingerprint(server.mqttsPort());
    assertEquals(fingerprint(server.httpsPort()), before, "MQTT/TLS and HTTPS share Liberty's "
        + "SSL configuration");
    long pid = server.process().orElseThrow().pid();

    // Exercise: a renewed certificate (new key, same password) replaces the key store file
    Path keyStore = server.serverDirectory().resolve("resources/security/key.p12");
    Path renewed = keyStore.resolveSibling("renewed.p12");
    SelfSignedKeyStore.createIfMissing(renewed, keyStorePassword(), "localhost");
    Files.move(renewed, keyStore, StandardCopyOption.REPLACE_EXISTING,
        StandardCopyOption.ATOMIC_MOVE);

    // Verify: new connections get it soon after (polling 5 s), from the same process
    String[] after = new String[1];
    await("the renewed certificate on 8883").atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(500))
        .until(() -> !(after[0] = fingerprint(server.mqttsPort())).equals(before));
    assertNotEquals(before, after[0]);
    assertEquals(pid, server.process().orElseThrow().pid(), "no restart");
    await("and on HTTPS").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
        .until(() -> fingerprint(server.httpsPort()).equals(after[0]));
  }

  private static char[] keyStorePassword() throws IOException {
    for (String line : Files.readAllLines(server.serverDirectory().resolve("server.env"))) {
      if (line.startsWith("keystore_password=")) {
        return line.substring("keystore_password=".length()).trim().toCharArray();
      }
    }
    throw new IllegalStateException("server.env holds no keystore_password");
  }

  /** @return the SHA-256 of the certificate the port presents in a TLS handshake */
  private static String fingerprint(int port) throws Exception {
    SSLContext context = AnyServerCertificate.context();
    try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket()) {
      socket.connect(new InetSocketAddress("localhost", port), 5_000);
      socket.setSoTimeout(10_000);
      socket.startHandshake();
      Certificate leaf = socket.getSession().getPeerCertificates()[0];
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(leaf.getEncoded()));
    }
  }
}
