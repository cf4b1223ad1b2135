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
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.transaction.xa.XAResource;
import org.ferrymq.config.BrokerConfig;
import org.ferrymq.config.ConfigException;
import org.ferrymq.engine.AuthExecutor;
import org.ferrymq.engine.MqttBroker;
import org.ferrymq.persistence.PersistenceMode;
import org.ferrymq.persistence.PersistenceException;
import org.ferrymq.security.ban.BanFile;
import org.ferrymq.security.ban.BanList;
import org.ferrymq.ra.AdapterSettings.Property;
import org.ferrymq.transport.netty.MqttServer;
import org.ferrymq.transport.netty.ServerSslConfig;
import org.ferrymq.transport.netty.WebSocketSettings;

/**
 * The FerryMQ resource adapter: starts the server's one broker with the MQTT TCP, TLS, ws and wss
 * listeners, and stops them symmetrically. It keeps the lifecycle only: the config properties
 * become {@link AdapterSettings}, TLS comes from {@link LibertySsl}, the listeners from {@link
 * MqttListeners} with their MBeans in {@link ListenerMBeans}, the store from {@link
 * BrokerPersistence}, and {@link RuntimePublication} shows the running broker to the web module.
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

  @ConfigProperty(defaultValue = "localhost",
      description = "Interface the MQTT listeners bind; * for all")
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
  private BrokerCluster cluster;
  private MqttBroker broker;
  private MqttServer server;
  private MqttListeners listeners;
  private final ListenerMBeans mbeans =
      new ListenerMBeans(ManagementFactory.getPlatformMBeanServer());
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
        false);
    try {
      ClassLoader loader = FerryResourceAdapter.class.getClassLoader();
      BrokerConfig config = BrokerSettings.load(loader);
      BrokerSecurity security = BrokerSecurity.load(loader);
      AdapterSettings settings = settings();
      ServerSslConfig tls = LibertySsl.load(settings.sslRef(), settings.clientAuth());
      cluster = BrokerCluster.load(loader);
      persistence = BrokerPersistence.load(loader, executor);
      broker = security.configure(cluster.configure(MqttBroker.builder().config(config)
          .loopExecutor(executor)
          .authExecutor(AuthExecutor.on(authWork, config.authThreads(), config.authQueue()))
          .bans(new BanList(new BanFile(persistence.banFile()))), persistence.open(),
          persistence.settings().mode() == PersistenceMode.PERSISTENT)).build();
      cluster.attach(broker);
      broker.start();
      server = new MqttServer(security.acceptor(broker), executor, settings.ioThreads());
      // A TLS handshake or WebSocket upgrade gets the time a client has to send CONNECT
      server.handshakeTimeout(broker.config().connectTimeoutSeconds() * 1000L);
      listeners = MqttListeners.assemble(server, settings, !security.config().requiresTls(),
          tls, WebSocketSettings.forMaxPacketSize(config.maxPacketSize())
              .withOriginCheck(security.origins()::allows));
      listeners.startAll();
      mbeans.register(listeners.all());
      RuntimePublication.publish(security, new BrokerRuntime.Running(broker, listeners.all(),
          persistence.summary(), cluster.view()));
      security.logPosture(host);
      long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began);
      LOG.info(() -> "FerryMQ broker started in " + millis + " ms: " + listeners.summary()
          + " (SSL configuration " + tls.name() + ", client certificates " + tls.clientAuth()
          + ", " + config.lanes()
          + " lanes, native transport " + server.nativeTransport() + ", " + cluster.describe()
          + ")");
    } catch (ConfigException | PersistenceException | IllegalStateException e) {
      fail(e.getMessage(), e);
    } catch (RuntimeException e) {
      fail("FerryMQ broker failed to start: " + e, e);
    }
  }

  /** @return the config properties as Liberty set them, validated */
  private AdapterSettings settings() {
    return AdapterSettings.builder().set(Property.HOST, host).set(Property.MQTT_PORT, mqttPort)
        .set(Property.MQTTS_PORT, mqttsPort).set(Property.WS_PORT, wsPort)
        .set(Property.WSS_PORT, wssPort).set(Property.SSL_REF, sslRef)
        .set(Property.IO_THREADS, ioThreads).set(Property.CLIENT_AUTH, clientAuth).build();
  }

  private void fail(String message, Exception cause) throws ResourceAdapterInternalException {
    LOG.log(Level.SEVERE, "FerryMQ cannot start: {0}", message);
    shutdown();
    RuntimePublication.failed(message);
    throw new ResourceAdapterInternalException(message, cause);
  }

  @Override
  public void stop() {
    RuntimePublication.withdraw();
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
    RuntimePublication.withdraw();
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
    mbeans.unregisterAll();
    if (listeners != null) {
      listeners.stopAll();
      listeners = null;
    }
    if (server != null) {
      server.close();
      server = null;
    }
    if (broker != null) {
      broker.stop();
      broker = null;
    }
    // Left after the broker stopped: its clients are gone, so nothing is forwarded any more
    if (cluster != null) {
      cluster.close();
      cluster = null;
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
