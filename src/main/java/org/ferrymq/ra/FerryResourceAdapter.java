package org.ferrymq.ra;

import jakarta.resource.ResourceException;
import jakarta.resource.NotSupportedException;
import jakarta.resource.spi.ActivationSpec;
import jakarta.resource.spi.BootstrapContext;
import jakarta.resource.spi.ConfigProperty;
import jakarta.resource.spi.Connector;
import jakarta.resource.spi.ResourceAdapter;
import jakarta.resource.spi.ResourceAdapterInternalException;
import jakarta.resource.spi.TransactionSupport;
import jakarta.resource.spi.endpoint.MessageEndpointFactory;
import jakarta.resource.spi.work.WorkManager;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.transaction.xa.XAResource;
import org.ferrymq.config.BrokerConfig;
import org.ferrymq.config.ConfigException;
import org.ferrymq.engine.AuthExecutor;
import org.ferrymq.engine.MqttBroker;
import org.ferrymq.persistence.PersistenceException;
import org.ferrymq.transport.netty.ListenerSettings;
import org.ferrymq.transport.netty.MqttServer;
import org.ferrymq.transport.netty.ServerSslConfig;
import org.ferrymq.transport.netty.TlsSettings;
import org.ferrymq.transport.netty.WebSocketSettings;

/**
 * The FerryMQ resource adapter: starts the server's one broker with the MQTT TCP, TLS, ws and wss
 * listeners, and stops them symmetrically.
 *
 * <p>Every thread the broker and Netty run on is long-running work from the {@link WorkManager};
 * {@link #stop()} waits until each has returned. The listener ports and the TLS key store come
 * from the adapter's config properties (set in server.xml from variables that environment
 * variables override); the engine settings come from MicroProfile Config. An invalid value stops
 * the adapter with a message naming the key, and the web module then refuses to start.
 *
 * <p>Thread-safety: the container calls {@link #start} and {@link #stop} once each, serially;
 * endpoint activations are kept in a concurrent map because the container may activate and
 * deactivate endpoints from different threads.
 */
@Connector(
    displayName = "FerryMQ",
    description = "MQTT 3.1/3.1.1/5.0 broker: TCP, TLS, ws and wss listeners, outbound publishing, "
        + "inbound message-driven beans",
    vendorName = "FerryMQ",
    eisType = "MQTT",
    version = "0.1.0",
    transactionSupport = TransactionSupport.TransactionSupportLevel.NoTransaction)
public class FerryResourceAdapter implements ResourceAdapter {

  private static final Logger LOG = Logger.getLogger(FerryResourceAdapter.class.getName());
  private static final long STOP_TIMEOUT_SECONDS = 15;

  @ConfigProperty(defaultValue = "*", description = "Interface the MQTT listeners bind; * for all")
  private String host = "localhost";

  @ConfigProperty(defaultValue = "1883", description = "Plain MQTT over TCP port (mqtt.port)")
  private String mqttPort = "1883";

  @ConfigProperty(defaultValue = "8883", description = "MQTT over TLS port (mqtts.port)")
  private String mqttsPort = "8883";

  @ConfigProperty(defaultValue = "8083", description = "MQTT over WebSocket (ws) on the "
      + "adapter's own listener, path /mqtt (mqtt.ws.port); 0 to serve none")
  private String wsPort = "8083";

  @ConfigProperty(defaultValue = "8084", description = "MQTT over secure WebSocket (wss) on the "
      + "adapter's own listener, path /mqtt (mqtt.wss.port); 0 to serve none")
  private String wssPort = "8084";

  @ConfigProperty(defaultValue = "defaultSSLConfig", description = "Liberty SSL configuration "
      + "(<ssl id>) whose key store, trust store, protocols and cipher suites the MQTT TLS and "
      + "wss listeners use")
  private String sslRef = "defaultSSLConfig";

  @ConfigProperty(defaultValue = "0", description = "Netty event loops; 0 for one per four processors, at least one")
  private String ioThreads = "0";

  @ConfigProperty(defaultValue = "none", description = "Client certificates on the TLS listener "
      + "(mqtt.tls.client-auth): none, want (optional) or need (required)")
  private String clientAuth = "none";

  private final Map<MessageEndpointFactory, EndpointActivation> activations =
      new ConcurrentHashMap<>();
  private WorkManager workManager;
  private WorkManagerExecutor executor;
  private WorkManagerExecutor authWork;
  private BrokerPersistence persistence;
  private MqttBroker broker;
  private MqttServer server;
  private final List<ListenerControl> listeners = new ArrayList<>();
  private final List<ObjectName> mbeans = new ArrayList<>();
  private boolean shutDown;

  @Override
  public void start(BootstrapContext context) throws ResourceAdapterInternalException {
    long began = System.nanoTime();
    workManager = context.getWorkManager();
    synchronized (this) {
      shutDown = false;
    }
    executor = new WorkManagerExecutor(workManager, "ferrymq", this::releaseRequested);
    // Credential checks (user registry, LDAP, JWKS fetch) borrow the same WorkManager's threads
    // as short work, at most mqtt.auth.threads at once behind a queue of mqtt.auth.queue
    // (AuthExecutor bounds both): Liberty owns and accounts for the threads and the adapter's
    // stop waits for them, as for the loops. A ManagedExecutorService would belong to the web
    // module, which starts after the adapter and may be absent; a private thread pool would
    // be threads the server does not know.
    authWork = new WorkManagerExecutor(workManager, "ferrymq-auth", this::releaseRequested,
        false);    try {
      BrokerConfig config = BrokerSettings.load(FerryResourceAdapter.class.getClassLoader());
      BrokerSecurity security = BrokerSecurity.load(FerryResourceAdapter.class.getClassLoader());
      int tcpPort = requirePort("mqtt.port", mqttPort);
      int tlsPort = requirePort("mqtts.port", mqttsPort);
      int plainWsPort = optionalPort("mqtt.ws.port", wsPort);
      int secureWsPort = optionalPort("mqtt.wss.port", wssPort);
      TlsSettings.ClientAuth clientCertificates = clientAuthMode();
      ServerSslConfig tls = LibertySsl.load(sslRef, clientCertificates);
      persistence = BrokerPersistence.load(FerryResourceAdapter.class.getClassLoader(), executor);
      broker = security.configure(MqttBroker.builder().config(config).loopExecutor(executor)
          .authExecutor(AuthExecutor.on(authWork, config.authThreads(), config.authQueue()))
          .persistence(persistence.open())).build();
      broker.start();
      server = new MqttServer(security.acceptor(broker), executor,
          requireCount("ferrymq.io-threads", ioThreads));
      // A TLS handshake or WebSocket upgrade gets the time a client has to send CONNECT
      server.handshakeTimeout(broker.config().connectTimeoutSeconds() * 1000L);
      WebSocketSettings webSocket = WebSocketSettings.forMaxPacketSize(config.maxPacketSize())
          .withOriginCheck(security.origins()::allows);
      // The secure profile serves TLS only: plain TCP and ws are not even bound.
      boolean plain = !security.config().requiresTls();
      if (plain) {
        listeners.add(new ListenerControl("mqtt", server, ListenerSettings.tcp(host, tcpPort)));
      }
      listeners.add(new ListenerControl("mqtts", server,
          ListenerSettings.tls(host, tlsPort, tls)));
      if (plain && plainWsPort > 0) {
        listeners.add(new ListenerControl("mqtt-ws", server,
            ListenerSettings.tcp(host, plainWsPort).withWebSocket(webSocket)));
      }
      if (secureWsPort > 0) {
        listeners.add(new ListenerControl("mqtt-wss", server,
            ListenerSettings.tls(host, secureWsPort, tls).withWebSocket(webSocket)));
      }
      for (ListenerControl listener : listeners) {
        listener.start();
      }
      registerMBeans();
      SecurityRuntime.started(security.authenticator(), security.config(), security.origins());
      BrokerRuntime.started(new BrokerRuntime.Running(broker, listeners,
          persistence.summary()));
      security.logPosture(host);
      long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began);
      String tcp = plain ? host + ":" + tcpPort : "not served (secure profile)";
      String ws = !plain ? "not served (secure profile)"
          : plainWsPort > 0 ? host + ":" + plainWsPort + webSocket.path() : "off";
      String wss = secureWsPort > 0 ? host + ":" + secureWsPort + webSocket.path() : "off";
      LOG.info(() -> "FerryMQ broker started in " + millis + " ms: MQTT on " + tcp
          + ", MQTT/TLS on " + host + ":" + tlsPort + ", ws on " + ws + ", wss on " + wss
          + " (SSL configuration " + tls.name() + ", client certificates " + tls.clientAuth()
          + ", " + config.lanes()
          + " lanes, native transport " + server.nativeTransport() + ")");
    } catch (ConfigException | PersistenceException | IllegalStateException e) {
      fail(e.getMessage(), e);
    } catch (RuntimeException e) {
      fail("FerryMQ broker failed to start: " + e, e);
    }
  }

  private void fail(String message, Exception cause) throws ResourceAdapterInternalException {
    LOG.log(Level.SEVERE, "FerryMQ cannot start: {0}", message);
    shutdown();
    BrokerRuntime.failed(message);
    throw new ResourceAdapterInternalException(message, cause);
  }

  @Override
  public void stop() {
    BrokerRuntime.stopped();
    SecurityRuntime.stopped();
    for (EndpointActivation activation : activations.values()) {
      activation.close();
    }
    activations.clear();
    shutdown();
  }

  /**
   * The server is quiescing and asks the loops to end (Work.release() on the quiesce thread, never
   * on a loop): stop the broker and the listeners now, as stop() will do later anyway.
   */
  private void releaseRequested() {
    BrokerRuntime.stopped();
    SecurityRuntime.stopped();
    shutdown();
  }

  /**
   * Closes whatever was started, in reverse order, and waits for every borrowed thread.
   * Idempotent: the first call stops everything, later ones find nothing left.
   */
  private synchronized void shutdown() {
    if (shutDown) {
      return;
    }
    shutDown = true;
    unregisterMBeans();
    for (ListenerControl listener : listeners) {
      listener.stop();
    }
    listeners.clear();
    if (server != null) {
      server.close();
      server = null;
    }
    if (broker != null) {
      broker.stop();
      broker = null;
    }
    // The broker closed the store; this closes it when the start failed before the broker ran.
    if (persistence != null) {
      persistence.close();
      persistence = null;
    }
    if (executor == null) {
      return;
    }
    try {
      if (!authWork.awaitIdle(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        LOG.warning(() -> authWork.running() + " credential checks were still running after "
            + STOP_TIMEOUT_SECONDS + " s");
      }
      if (executor.awaitIdle(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        LOG.info("FerryMQ broker stopped; every work manager thread returned");
      } else {
        LOG.warning(() -> "FerryMQ broker stopped, but " + executor.running()
            + " work manager threads were still running after " + STOP_TIMEOUT_SECONDS + " s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static int requirePort(String key, String value) {
    return port(key, value, false);
  }

  /** A port, or 0 when the listener is switched off. */
  private static int optionalPort(String key, String value) {
    return port(key, value, true);
  }

  private static int port(String key, String value, boolean zeroSwitchesOff) {
    int port = parse(key, value);
    if (port < (zeroSwitchesOff ? 0 : 1) || port > 65_535) {
      throw new ConfigException(key, port + " is not a port number (1..65535"
          + (zeroSwitchesOff ? ", or 0 for none)" : ")"));
    }
    return port;
  }

  private static int requireCount(String key, String value) {
    int count = parse(key, value);
    if (count < 0 || count > 1024) {
      throw new ConfigException(key, count + " is outside 0..1024");
    }
    return count;
  }

  private static int parse(String key, String value) {
    try {
      return Integer.parseInt(value == null ? "" : value.trim());
    } catch (NumberFormatException e) {
      throw new ConfigException(key, "'" + value + "' is not a whole number");
    }
  }

  /**
   * The TLS listener uses Liberty's default key store. Liberty writes it on its first start,
   * possibly just after this adapter starts; wait briefly, then create it ourselves.
   */
  private TlsSettings.ClientAuth clientAuthMode() {
    String mode = clientAuth == null ? "none" : clientAuth.trim();
    return switch (mode.toLowerCase(java.util.Locale.ROOT)) {
      case "", "none" -> TlsSettings.ClientAuth.NONE;
      case "want" -> TlsSettings.ClientAuth.WANT;
      case "need" -> TlsSettings.ClientAuth.NEED;
      default -> throw new ConfigException("mqtt.tls.client-auth",
          "'" + mode + "' is not one of none, want, need");
    };
  }

  private void registerMBeans() {
    MBeanServer platform = ManagementFactory.getPlatformMBeanServer();
    for (ListenerControl listener : listeners) {
      try {
        ObjectName name = new ObjectName("org.ferrymq:type=Listener,name=" + listener.getName());
        if (platform.isRegistered(name)) {
          platform.unregisterMBean(name);
        }
        platform.registerMBean(listener, name);
        mbeans.add(name);
      } catch (JMException e) {
        throw new IllegalStateException("Cannot register the listener MBean: " + e, e);
      }
    }
  }

  private void unregisterMBeans() {
    MBeanServer platform = ManagementFactory.getPlatformMBeanServer();
    for (ObjectName name : mbeans) {
      try {
        platform.unregisterMBean(name);
      } catch (JMException e) {
        LOG.fine(() -> "MBean " + name + " was already gone: " + e);
      }
    }
    mbeans.clear();
  }

  @Override
  public void endpointActivation(MessageEndpointFactory factory, ActivationSpec spec)
      throws ResourceException {
    if (!(spec instanceof MqttActivationSpec mqttSpec)) {
      throw new NotSupportedException("Not a FerryMQ activation spec: " + spec);
    }
    mqttSpec.validate();
    MqttBroker running = BrokerRuntime.current().map(BrokerRuntime.Running::broker)
        .orElseThrow(() -> new ResourceAdapterInternalException("The FerryMQ broker is not running"));
    EndpointActivation activation =
        EndpointActivation.start(running, workManager, factory, mqttSpec);
    EndpointActivation previous = activations.put(factory, activation);
    if (previous != null) {
      previous.close();
    }
  }

  @Override
  public void endpointDeactivation(MessageEndpointFactory factory, ActivationSpec spec) {
    EndpointActivation activation = activations.remove(factory);
    if (activation != null) {
      activation.close();
    }
  }

  @Override
  public XAResource[] getXAResources(ActivationSpec[] specs) {
    return new XAResource[0];
  }

  public String getHost() {
    return host;
  }

  public void setHost(String host) {
    this.host = host;
  }

  public String getMqttPort() {
    return mqttPort;
  }

  public void setMqttPort(String mqttPort) {
    this.mqttPort = mqttPort;
  }

  public String getWsPort() {
    return wsPort;
  }

  public void setWsPort(String wsPort) {
    this.wsPort = wsPort;
  }

  public String getWssPort() {
    return wssPort;
  }

  public void setWssPort(String wssPort) {
    this.wssPort = wssPort;
  }

  public String getMqttsPort() {
    return mqttsPort;
  }

  public void setMqttsPort(String mqttsPort) {
    this.mqttsPort = mqttsPort;
  }

  public String getSslRef() {
    return sslRef;
  }

  public void setSslRef(String sslRef) {
    this.sslRef = sslRef;
  }

  public String getIoThreads() {
    return ioThreads;
  }

  public void setIoThreads(String ioThreads) {
    this.ioThreads = ioThreads;
  }

  public String getClientAuth() {
    return clientAuth;
  }

  public void setClientAuth(String clientAuth) {
    this.clientAuth = clientAuth;
  }

  // The container compares adapters by identity; keep Object's equals/hashCode explicitly.
  @Override
  public boolean equals(Object other) {
    return this == other;
  }

  @Override
  public int hashCode() {
    return System.identityHashCode(this);
  }
}
