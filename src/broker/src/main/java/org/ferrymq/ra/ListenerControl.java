package org.ferrymq.ra;

import java.io.IOException;
import java.util.logging.Logger;
import org.ferrymq.transport.netty.BoundListener;
import org.ferrymq.transport.netty.ListenerSettings;
import org.ferrymq.transport.netty.MqttServer;

/**
 * One MQTT listener that can be stopped and bound again at runtime, for operators and for the
 * readiness check. Thread-safe: state changes are synchronized.
 */
public final class ListenerControl implements ListenerControlMBean {

  private static final Logger LOG = Logger.getLogger(ListenerControl.class.getName());

  private final String name;
  private final MqttServer server;
  private final ListenerSettings settings;
  private BoundListener bound;

  ListenerControl(String name, MqttServer server, ListenerSettings settings) {
    this.name = name;
    this.server = server;
    this.settings = settings;
  }

  @Override
  public String getName() {
    return name;
  }

  @Override
  public synchronized int getPort() {
    return bound != null ? bound.port() : settings.port();
  }

  @Override
  public synchronized long getOpenConnections() {
    return bound != null ? bound.openConnections() : 0;
  }

  @Override
  public synchronized boolean isAccepting() {
    return bound != null && bound.isAccepting();
  }

  @Override
  public synchronized void start() {
    if (bound != null && bound.isAccepting()) {
      return;
    }
    try {
      bound = server.bind(settings);
    } catch (IOException e) {
      throw new IllegalStateException("Cannot bind MQTT listener " + name + " on "
          + settings.endpoint() + ": " + e.getMessage(), e);
    }
    LOG.info(() -> "FerryMQ listener " + name + " accepting on " + settings.endpoint());
  }

  @Override
  public synchronized void stop() {
    if (bound != null) {
      bound.close();
      bound = null;
      LOG.info(() -> "FerryMQ listener " + name + " stopped");
    }
  }
}
