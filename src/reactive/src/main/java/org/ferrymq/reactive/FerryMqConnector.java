package org.ferrymq.reactive;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.naming.InitialContext;
import javax.naming.NamingException;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.spi.Connector;
import org.eclipse.microprofile.reactive.messaging.spi.IncomingConnectorFactory;
import org.eclipse.microprofile.reactive.messaging.spi.OutgoingConnectorFactory;
import org.eclipse.microprofile.reactive.streams.operators.PublisherBuilder;
import org.eclipse.microprofile.reactive.streams.operators.ReactiveStreams;
import org.eclipse.microprofile.reactive.streams.operators.SubscriberBuilder;
import org.ferrymq.api.MqttConnection;
import org.ferrymq.api.MqttConnectionFactory;
import org.ferrymq.api.MqttMessage;

/**
 * The MicroProfile Reactive Messaging connector {@code ferrymq}: channels that publish and
 * consume on the FerryMQ broker of the same server, in-process, through the application API's
 * connection factory (JNDI {@code jca/ferrymq}, attribute {@code connection-factory}).
 *
 * <p>An incoming channel is an in-process subscription to its {@code topic} filter; at {@code
 * qos} 1 or 2 (the default is 1) a persistent session of the broker named {@code session}
 * (default {@code <application>/<channel>}), so that messages wait while the application is
 * stopped and a message is acknowledged to the broker only when its Reactive Messaging message
 * is acked. A nack redelivers it after {@code redelivery-delay} ms, up to {@code
 * max-redeliveries} times, then publishes it to {@code dead-letter-topic} (default {@code
 * $dlq/<session>}), as for a message-driven bean. Payloads are {@code org.ferrymq.api.MqttMessage}
 * with the MQTT 5 properties. An outgoing channel publishes to its {@code topic} at its {@code
 * qos} and {@code retain} ({@link OutgoingChannel}).
 */
@ApplicationScoped
@Connector(FerryMqConnector.NAME)
public class FerryMqConnector implements IncomingConnectorFactory, OutgoingConnectorFactory {

  /** The connector's name in {@code mp.messaging.*.<channel>.connector}. */
  public static final String NAME = "ferrymq";

  private final List<IncomingChannel> incoming = new CopyOnWriteArrayList<>();
  private final List<ExecutorService> emitters = new CopyOnWriteArrayList<>();

  @Override
  public PublisherBuilder<Message<MqttMessage>> getPublisherBuilder(Config config) {
    ChannelSettings settings = settings(config);
    MqttConnectionFactory factory = lookup(settings.connectionFactory());
    ExecutorService emitter = emitterFor(settings.channel());
    IncomingChannel channel = new IncomingChannel(settings.channel(), listener -> {
      try (MqttConnection connection = factory.getConnection()) {
        return connection.subscribe(settings.subscription(), listener);
      } catch (jakarta.resource.ResourceException e) {
        throw new IllegalStateException("The ferrymq channel '" + settings.channel()
            + "' cannot connect to the broker", e);
      }
    }, emitter);
    incoming.add(channel);
    emitters.add(emitter);
    return ReactiveStreams.fromPublisher(channel);
  }

  @Override
  public SubscriberBuilder<Message<?>, Void> getSubscriberBuilder(Config config) {
    ChannelSettings settings = settings(config);
    MqttConnectionFactory factory = lookup(settings.connectionFactory());
    OutgoingChannel channel = new OutgoingChannel(settings, factory::getConnection);
    return ReactiveStreams.<Message<?>>builder().forEach(channel::send);
  }

  /** The application stops: its subscriptions end, their sessions keep what is not acked. */
  @PreDestroy
  void closeChannels() {
    incoming.forEach(IncomingChannel::close);
    incoming.clear();
    emitters.forEach(ExecutorService::shutdownNow);
    emitters.clear();
  }

  /**
   * @return the one thread that calls an incoming channel's subscriber, so that the broker's
   *     threads never run the application's {@code @Incoming} method; it carries the
   *     application's class loader, as the thread that builds the channel does
   */
  private static ExecutorService emitterFor(String channel) {
    ClassLoader application = Thread.currentThread().getContextClassLoader();
    return Executors.newSingleThreadExecutor(task -> {
      Thread t = new Thread(task, "ferrymq-channel-" + channel);
      t.setDaemon(true);
      t.setContextClassLoader(application);
      return t;
    });
  }

  private static ChannelSettings settings(Config config) {
    return ChannelSettings.from(name -> config.getOptionalValue(name, String.class),
        FerryMqConnector::applicationName);
  }

  /** @return the application's name ({@code java:app/AppName}, Jakarta EE 5.15.1) */
  private static String applicationName() {
    try {
      return InitialContext.doLookup("java:app/AppName");
    } catch (NamingException e) {
      throw new IllegalStateException("The ferrymq connector cannot read the application's "
          + "name (java:app/AppName); give the channel a 'session' attribute", e);
    }
  }

  private static MqttConnectionFactory lookup(String jndiName) {
    try {
      return InitialContext.doLookup(jndiName);
    } catch (NamingException e) {
      throw new IllegalStateException("The ferrymq connector finds no connection factory at '"
          + jndiName + "' (attribute connection-factory)", e);
    }
  }
}
