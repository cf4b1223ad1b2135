package org.ferrymq.clients;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.ferrymq.engine.ClientSummary;
import org.ferrymq.transport.TransportKind;
import org.ferrymq.transport.netty.SelfSignedKeyStore;
import org.ferrymq.transport.netty.TlsSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real clients over a TLS listener whose key store {@link SelfSignedKeyStore} generated; the
 * clients trust exactly that certificate.
 */
class TlsClientTest {

  private static final char[] PASSWORD = "ferry-tls-test".toCharArray();

  @TempDir
  static Path keys;

  @RegisterExtension
  static final RunningBroker sut = RunningBroker.tls(TlsClientTest::generatedKeyStore);

  private static TrustManagerFactory trustBrokerOnly;

  /** Generates the broker's key store and the clients' trust in it, once for the class. */
  private static TlsSettings generatedKeyStore() {
    Path p12 = keys.resolve("broker.p12");
    assertTrue(SelfSignedKeyStore.createIfMissing(p12, PASSWORD, "localhost"));
    try {
      trustBrokerOnly = trusting(p12);
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException("cannot read the generated key store " + p12, e);
    }
    return TlsSettings.fromKeyStore(p12, PASSWORD);
  }

  @Test
  void pahoV3ExchangesAMessageOverTls13() throws Exception {
    SSLContext tls13 = SSLContext.getInstance("TLSv1.3");
    tls13.init(null, trustBrokerOnly.getTrustManagers(), null);
    RecordingSslSocketFactory sockets = new RecordingSslSocketFactory(tls13.getSocketFactory());
    Inbox<PahoV3ClientTest.Received> inbox = new Inbox<>();
    MqttClient client = new MqttClient(sut.uri(), "tls-paho", new MemoryPersistence());
    client.setTimeToWait(Inbox.TIMEOUT.toMillis());
    client.setCallback(PahoV3ClientTest.recordingInto(inbox));
    MqttConnectOptions options = new MqttConnectOptions();
    options.setSocketFactory(sockets);
    options.setAutomaticReconnect(false);
    try {
      client.connect(options);
      client.subscribe("tls/paho", 1);

      // Exercise
      client.publish("tls/paho", "sealed".getBytes(StandardCharsets.UTF_8), 1, false);

      // Verify
      assertEquals(List.of(new PahoV3ClientTest.Received("tls/paho", "sealed", 1, false, false)),
          inbox.awaitCount(1));
      assertEquals(1, sockets.created.size());
      assertEquals("TLSv1.3", sockets.created.get(0).getSession().getProtocol());
      assertEquals(TransportKind.TLS, summary("tls-paho").transport());
    } finally {
      client.disconnect(1000);
      client.close();
    }
  }

  @Test
  void hiveMqExchangesAMessageOverTls13() {
    Inbox<String> inbox = new Inbox<>();
    Mqtt5Client async = Mqtt5Client.builder().identifier("tls-hive")
        .serverHost(RunningBroker.HOST).serverPort(sut.port())
        .sslConfig().trustManagerFactory(trustBrokerOnly).protocols(List.of("TLSv1.3"))
        .applySslConfig().build();
    async.toAsync().publishes(MqttGlobalPublishFilter.ALL, p -> inbox.add(p.getTopic() + " "
        + p.getQos().getCode() + " " + new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8)));
    Mqtt5BlockingClient client = async.toBlocking();
    client.connect();
    try {
      client.subscribeWith().topicFilter("tls/hive").qos(MqttQos.EXACTLY_ONCE).send();

      // Exercise
      client.publishWith().topic("tls/hive").payload("sealed too".getBytes(StandardCharsets.UTF_8))
          .qos(MqttQos.EXACTLY_ONCE).send();

      // Verify
      assertEquals(List.of("tls/hive 2 sealed too"), inbox.awaitCount(1));
      assertEquals(TransportKind.TLS, summary("tls-hive").transport());
    } finally {
      client.disconnect();
    }
  }

  @Test
  void aClientThatDoesNotTrustTheCertificateCannotConnect() throws Exception {
    SSLContext jdkDefaults = SSLContext.getInstance("TLSv1.3");
    jdkDefaults.init(null, null, null);
    MqttClient client = new MqttClient(sut.uri(), "tls-stranger", new MemoryPersistence());
    client.setTimeToWait(Inbox.TIMEOUT.toMillis());
    MqttConnectOptions options = new MqttConnectOptions();
    options.setSocketFactory(jdkDefaults.getSocketFactory());
    try {
      // Exercise
      MqttException refused = assertThrows(MqttException.class, () -> client.connect(options));

      // Verify
      assertTrue(causedBy(refused, SSLHandshakeException.class), () -> refused.toString());
      assertFalse(sut.hasSession("tls-stranger"));
    } finally {
      client.close();
    }
  }

  private static ClientSummary summary(String clientId) {
    return sut.broker().clients().stream().filter(c -> c.clientId().equals(clientId))
        .findFirst().orElseThrow();
  }

  private static boolean causedBy(Throwable thrown, Class<? extends Throwable> type) {
    for (Throwable t = thrown; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return true;
      }
    }
    return false;
  }

  /** @return a trust manager factory that trusts only the broker's certificate */
  private static TrustManagerFactory trusting(Path p12)
      throws IOException, GeneralSecurityException {
    KeyStore brokerKeys = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(p12)) {
      brokerKeys.load(in, PASSWORD);
    }
    Certificate certificate = brokerKeys.getCertificate(SelfSignedKeyStore.ALIAS);
    KeyStore trusted = KeyStore.getInstance("PKCS12");
    trusted.load(null, null);
    trusted.setCertificateEntry("ferrymq-broker", certificate);
    TrustManagerFactory factory =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    factory.init(trusted);
    return factory;
  }

  /** Keeps the TLS sockets a client creates so the test can read the negotiated protocol. */
  private static final class RecordingSslSocketFactory extends SSLSocketFactory {
    private final SSLSocketFactory delegate;
    final List<SSLSocket> created = new CopyOnWriteArrayList<>();

    RecordingSslSocketFactory(SSLSocketFactory delegate) {
      this.delegate = delegate;
    }

    private Socket record(Socket socket) {
      created.add((SSLSocket) socket);
      return socket;
    }

    @Override
    public Socket createSocket() throws IOException {
      return record(delegate.createSocket());
    }

    @Override
    public Socket createSocket(Socket s, String host, int port, boolean autoClose)
        throws IOException {
      return record(delegate.createSocket(s, host, port, autoClose));
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
      return record(delegate.createSocket(host, port));
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort)
        throws IOException {
      return record(delegate.createSocket(host, port, localHost, localPort));
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
      return record(delegate.createSocket(host, port));
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress,
        int localPort) throws IOException {
      return record(delegate.createSocket(address, port, localAddress, localPort));
    }

    @Override
    public String[] getDefaultCipherSuites() {
      return delegate.getDefaultCipherSuites();
    }

    @Override
    public String[] getSupportedCipherSuites() {
      return delegate.getSupportedCipherSuites();
    }
  }
}
