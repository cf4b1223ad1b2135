package org.ferrymq.transport.netty;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.ferrymq.transport.TransportInfo;
import org.ferrymq.transport.TransportKind;
import org.ferrymq.transport.netty.TlsSettings.ClientAuth;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * TLS listeners: protocol versions, client certificates and the development key store.
 *
 * <p>TLSv1.1 refusal is checked twice. The JDK client lists TLSv1.1 in {@code
 * jdk.tls.disabledAlgorithms}, so an {@link SSLSocket} limited to it fails before sending
 * anything; that test only shows that such a client cannot connect. Re-enabling TLSv1.1 would
 * mean changing a JVM-wide security property that is cached on first use, so instead a
 * hand-written TLSv1.1 ClientHello goes over a plain socket, and the server must answer with a
 * fatal alert. That the refusal comes from the listener's protocol list, not only from the JDK
 * defaults, is shown by a listener limited to TLSv1.3 refusing a TLSv1.2 client.
 */
class MqttServerTlsTest {

  private static final char[] PASSWORD = "changeit".toCharArray();
  private static final byte[] PING = {0x10, 0x20, 0x30};

  @TempDir
  static Path dir;
  private static Path serverKeys;
  private static Path clientKeys;
  private static Path rogueKeys;
  private static Path serverTrust;
  private static Path clientTrust;

  private final EchoAcceptor engine = new EchoAcceptor();
  private final CountingExecutor executor = new CountingExecutor();
  private MqttServer sut;

  @BeforeAll
  static void createKeyStores() throws Exception {
    serverKeys = dir.resolve("server.p12");
    clientKeys = dir.resolve("client.p12");
    rogueKeys = dir.resolve("rogue.p12");
    assertTrue(SelfSignedKeyStore.createIfMissing(serverKeys, PASSWORD, "localhost"));
    assertTrue(SelfSignedKeyStore.createIfMissing(clientKeys, PASSWORD, "ferry-test-client"));
    assertTrue(SelfSignedKeyStore.createIfMissing(rogueKeys, PASSWORD, "rogue"));
    serverTrust = trustStoreFor(serverKeys, "server-trust.p12");
    clientTrust = trustStoreFor(clientKeys, "client-trust.p12");
  }

  @AfterEach
  void closeServer() {
    if (sut != null) {
      sut.close();
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> executor.running.get() == 0);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
  void modernProtocolsConnectAndEcho(String protocol) throws Exception {
    BoundListener listener = bind(TlsSettings.fromKeyStore(serverKeys, PASSWORD));

    try (SSLSocket client = connect(listener, null, protocol)) {
      // Exercise
      client.startHandshake();
      client.getOutputStream().write(PING);

      // Verify
      assertEquals(protocol, client.getSession().getProtocol());
      assertArrayEquals(PING, client.getInputStream().readNBytes(PING.length));
      TransportInfo info = engine.connection(0).transport.info();
      assertEquals(TransportKind.TLS, info.kind());
      assertEquals(client.getLocalPort(), info.remoteAddress().getPort());
      assertTrue(info.peerCertificates().isEmpty());
      assertEquals(TransportKind.TLS, listener.kind());
    }
  }

  /**
   * TLS from the host's SSL configuration ({@link ServerSslConfig}, Liberty's in production): the
   * listener asks for the current context on every connection, so when the host hands out a new
   * one (a renewed certificate) the next connection presents it, without a new bind.
   */
  @Test
  void aContextTheHostRenewsIsServedToTheNextConnection() throws Exception {
    java.util.concurrent.atomic.AtomicReference<SSLContext> current =
        new java.util.concurrent.atomic.AtomicReference<>(serverContext(serverKeys));
    BoundListener listener = bind(new ServerSslConfig("test-config", current::get,
        TlsSettings.ClientAuth.NONE, null, null));
    java.security.cert.Certificate first;
    try (SSLSocket client = connectTrustingAnyone(listener)) {
      client.startHandshake();
      first = client.getSession().getPeerCertificates()[0];
    }

    // Exercise: the host renews its certificate
    current.set(serverContext(rogueKeys));

    // Verify
    try (SSLSocket client = connectTrustingAnyone(listener)) {
      client.startHandshake();
      java.security.cert.Certificate renewed = client.getSession().getPeerCertificates()[0];
      assertEquals(load(serverKeys).getCertificate(SelfSignedKeyStore.ALIAS), first);
      assertEquals(load(rogueKeys).getCertificate(SelfSignedKeyStore.ALIAS), renewed);
    }
  }

  @Test
  void aHostConfigurationWithAnOldProtocolIsRefusedNamingIt() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new ServerSslConfig("weak-config", () -> null, TlsSettings.ClientAuth.NONE,
            java.util.List.of("TLSv1.2", "TLSv1.1"), null));
    assertTrue(e.getMessage().contains("weak-config") && e.getMessage().contains("TLSv1.1"),
        e.getMessage());
  }

  private static SSLContext serverContext(Path keys) throws Exception {
    KeyManagerFactory keyManagers =
        KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    keyManagers.init(load(keys), PASSWORD);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(keyManagers.getKeyManagers(), null, null);
    return context;
  }

  private static SSLSocket connectTrustingAnyone(BoundListener listener) throws Exception {
    SSLContext context = org.ferrymq.testing.AnyServerCertificate.context();
    SSLSocket socket =
        (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", listener.port());
    socket.setSoTimeout(10_000);
    return socket;
  }

  @Test
  void serverSideCloseDeliversQueuedBytesThenCloseNotify() throws Exception {
    BoundListener listener = bind(TlsSettings.fromKeyStore(serverKeys, PASSWORD));
    engine.echo = false;

    try (SSLSocket client = connect(listener, null, "TLSv1.3")) {
      client.startHandshake();
      EchoAcceptor.Connection connection = engine.connection(0);

      // Exercise
      connection.transport.send(ByteBuffer.wrap(PING));
      connection.transport.close();

      // Verify
      assertArrayEquals(PING, client.getInputStream().readNBytes(PING.length));
      assertEquals(-1, client.getInputStream().read());
      await().until(() -> connection.closed.get() == 1);
    }
  }

  @Test
  void tls11ClientCannotConnect() throws Exception {
    BoundListener listener = bind(TlsSettings.fromKeyStore(serverKeys, PASSWORD));

    try (SSLSocket client = connect(listener, null, "TLSv1.1")) {
      assertThrows(SSLException.class, client::startHandshake);
    }
    assertTrue(engine.connections.isEmpty());
  }

  @Test
  void tls11ClientHelloGetsAFatalAlert() throws Exception {
    BoundListener listener = bind(TlsSettings.fromKeyStore(serverKeys, PASSWORD));

    Logger log = Logger.getLogger(ConnectionHandler.class.getName());
    List<LogRecord> records = new CopyOnWriteArrayList<>();
    Handler capture = new Handler() {
      @Override
      public void publish(LogRecord record) {
        records.add(record);
      }

      @Override
      public void flush() {
      }

      @Override
      public void close() {
      }
    };
    Level previous = log.getLevel();
    log.setLevel(Level.FINE);
    log.addHandler(capture);
    try (Socket raw = MqttServerTcpTest.connect(listener)) {
      // Exercise
      raw.getOutputStream().write(tls11ClientHello());

      // Verify: an alert record (content type 21), fatal (2), protocol_version (70), then EOF
      byte[] reply = raw.getInputStream().readAllBytes();
      assertEquals(7, reply.length, "one alert record expected");
      assertEquals(21, reply[0]);
      assertEquals(2, reply[5]);
      assertEquals(70, reply[6]);
      String peer = "TLS handshake with /127.0.0.1:" + raw.getLocalPort() + " failed";
      await().until(() -> records.stream().anyMatch(
          r -> r.getLevel() == Level.FINE && r.getMessage().startsWith(peer)));
      assertEquals(1, records.size(), "logged once");
    } finally {
      log.removeHandler(capture);
      log.setLevel(previous);
    }
    assertTrue(engine.connections.isEmpty());
  }

  @Test
  void listenerLimitedToTls13RefusesTls12() throws Exception {
    BoundListener listener = bind(
        TlsSettings.fromKeyStore(serverKeys, PASSWORD).withProtocols(List.of("TLSv1.3")));

    try (SSLSocket client = connect(listener, null, "TLSv1.2")) {
      assertThrows(SSLException.class, client::startHandshake);
    }
    try (SSLSocket client = connect(listener, null, "TLSv1.3")) {
      client.startHandshake();
      assertEquals("TLSv1.3", client.getSession().getProtocol());
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
  void requiredClientCertificateIsCheckedAndReported(String protocol) throws Exception {
    BoundListener listener = bind(TlsSettings.fromKeyStore(serverKeys, PASSWORD)
        .withClientAuth(clientTrust, PASSWORD, ClientAuth.NEED));

    try (SSLSocket anonymous = connect(listener, null, protocol)) {
      assertRefused(anonymous);
    }
    try (SSLSocket rogue = connect(listener, rogueKeys, protocol)) {
      assertRefused(rogue);
    }
    assertTrue(engine.connections.isEmpty());

    try (SSLSocket client = connect(listener, clientKeys, protocol)) {
      client.getOutputStream().write(PING);
      assertArrayEquals(PING, client.getInputStream().readNBytes(PING.length));
    }
    List<X509Certificate> chain = engine.connection(0).transport.info().peerCertificates();
    assertEquals(1, chain.size());
    assertEquals("CN=ferry-test-client", chain.get(0).getSubjectX500Principal().getName());
  }

  @Test
  void wantedClientCertificateIsOptional() throws Exception {
    BoundListener listener = bind(TlsSettings.fromKeyStore(serverKeys, PASSWORD)
        .withClientAuth(clientTrust, PASSWORD, ClientAuth.WANT));

    try (SSLSocket anonymous = connect(listener, null, "TLSv1.3")) {
      anonymous.getOutputStream().write(PING);
      assertArrayEquals(PING, anonymous.getInputStream().readNBytes(PING.length));
    }
    try (SSLSocket client = connect(listener, clientKeys, "TLSv1.3")) {
      client.getOutputStream().write(PING);
      assertArrayEquals(PING, client.getInputStream().readNBytes(PING.length));
    }

    assertTrue(engine.connection(0).transport.info().peerCertificates().isEmpty());
    assertEquals(1, engine.connection(1).transport.info().peerCertificates().size());
  }

  @Test
  void wrongKeyStorePasswordFailsTheBindNamingTheStore() {
    sut = new MqttServer(engine, executor, 1);

    IOException failure = assertThrows(IOException.class, () -> sut.bind(ListenerSettings.tls(
        "127.0.0.1", 0, TlsSettings.fromKeyStore(serverKeys, "wrong-pw".toCharArray()))));

    assertTrue(failure.getMessage().contains(serverKeys.toString()), failure.getMessage());
  }

  @Test
  void trustStoreWithoutKeyFailsTheBind() {
    sut = new MqttServer(engine, executor, 1);

    IOException failure = assertThrows(IOException.class, () -> sut.bind(ListenerSettings.tls(
        "127.0.0.1", 0, TlsSettings.fromKeyStore(serverTrust, PASSWORD))));

    assertTrue(failure.getMessage().contains("no private key"), failure.getMessage());
  }

  @Test
  void selfSignedKeyStoreIsCreatedOnceWithTheCommonName() throws Exception {
    Path store = dir.resolve("nested/dev.p12");

    assertTrue(SelfSignedKeyStore.createIfMissing(store, PASSWORD, "broker, \"dev\"+1"));
    byte[] first = Files.readAllBytes(store);
    assertFalse(SelfSignedKeyStore.createIfMissing(store, PASSWORD, "other"));

    assertArrayEquals(first, Files.readAllBytes(store));
    X509Certificate certificate = (X509Certificate) load(store).getCertificate(
        SelfSignedKeyStore.ALIAS);
    assertEquals("CN=broker\\, \\\"dev\\\"\\+1",
        certificate.getSubjectX500Principal().getName());
    assertEquals("RSA", certificate.getPublicKey().getAlgorithm());
    assertTrue(certificate.getSubjectAlternativeNames().stream()
        .anyMatch(name -> name.get(1).equals("127.0.0.1")));
    assertThrows(IllegalArgumentException.class,
        () -> SelfSignedKeyStore.createIfMissing(dir.resolve("short.p12"), "abc".toCharArray(),
            "x"));
  }

  private BoundListener bind(TlsSource tls) throws IOException {
    sut = new MqttServer(engine, executor, 1);
    return sut.bind(ListenerSettings.tls("127.0.0.1", 0, tls));
  }

  /** A TLS client that trusts the server's certificate and presents {@code keys} if given. */
  private static SSLSocket connect(BoundListener listener, Path keys, String protocol)
      throws IOException, GeneralSecurityException {
    KeyManagerFactory keyManagers = null;
    if (keys != null) {
      keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      keyManagers.init(load(keys), PASSWORD);
    }
    TrustManagerFactory trustManagers =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trustManagers.init(load(serverTrust));
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(keyManagers == null ? null : keyManagers.getKeyManagers(),
        trustManagers.getTrustManagers(), null);
    SSLSocket socket =
        (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", listener.port());
    socket.setSoTimeout(10_000);
    socket.setEnabledProtocols(new String[] {protocol});
    return socket;
  }

  /**
   * With TLSv1.3 the client completes its side of the handshake before the server has checked
   * its certificate, so the refusal may surface only when the client reads.
   */
  private static void assertRefused(SSLSocket socket) {
    assertThrows(IOException.class, () -> {
      socket.startHandshake();
      OutputStream out = socket.getOutputStream();
      out.write(PING);
      out.flush();
      InputStream in = socket.getInputStream();
      if (in.read() == -1) {
        throw new EOFException("closed by the server");
      }
    });
  }

  private static Path trustStoreFor(Path keys, String name) throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("trusted", load(keys).getCertificate(SelfSignedKeyStore.ALIAS));
    Path path = dir.resolve(name);
    try (OutputStream out = Files.newOutputStream(path)) {
      trust.store(out, PASSWORD);
    }
    return path;
  }

  private static KeyStore load(Path path) throws IOException, GeneralSecurityException {
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(path)) {
      store.load(in, PASSWORD);
    }
    return store;
  }

  /** A minimal TLSv1.1 ClientHello offering two RSA/ECDHE CBC suites and no extensions. */
  private static byte[] tls11ClientHello() {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.writeBytes(new byte[] {0x03, 0x02}); // client_version TLS 1.1
    body.writeBytes(new byte[32]); // random
    body.write(0); // session_id length
    body.writeBytes(new byte[] {0x00, 0x04, // cipher_suites length
        (byte) 0xC0, 0x13, // TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA
        0x00, 0x2F}); // TLS_RSA_WITH_AES_128_CBC_SHA
    body.writeBytes(new byte[] {0x01, 0x00}); // compression_methods: null
    int length = body.size();
    ByteArrayOutputStream record = new ByteArrayOutputStream();
    record.writeBytes(new byte[] {0x16, 0x03, 0x02}); // handshake record, TLS 1.1
    record.writeBytes(new byte[] {(byte) ((length + 4) >> 8), (byte) (length + 4)});
    record.write(0x01); // ClientHello
    record.writeBytes(new byte[] {0, (byte) (length >> 8), (byte) length});
    record.writeBytes(body.toByteArray());
    return record.toByteArray();
  }
}
