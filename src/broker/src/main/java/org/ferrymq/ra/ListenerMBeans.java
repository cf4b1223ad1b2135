package org.ferrymq.ra;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * Registers each {@link ListenerControl} as the MBean {@code org.ferrymq:type=Listener,name=<name>}
 * so operators can stop and rebind a listener, and unregisters them at stop. A stale MBean of the
 * same name (left by an adapter instance that failed to stop) is replaced.
 *
 * <p>Not thread-safe: the adapter registers in {@code start()} and unregisters in its shutdown,
 * which are serial.
 */
final class ListenerMBeans {

  private static final Logger LOG = Logger.getLogger(ListenerMBeans.class.getName());

  private final MBeanServer server;
  private final List<ObjectName> registered = new ArrayList<>();

  ListenerMBeans(MBeanServer server) {
    this.server = server;
  }

  static ObjectName nameOf(ListenerControl listener) throws JMException {
    return new ObjectName("org.ferrymq:type=Listener,name=" + listener.getName());
  }

  /** @throws IllegalStateException if the MBean server refuses one */
  void register(List<ListenerControl> listeners) {
    for (ListenerControl listener : listeners) {
      try {
        ObjectName name = nameOf(listener);
        if (server.isRegistered(name)) {
          server.unregisterMBean(name);
        }
        server.registerMBean(listener, name);
        registered.add(name);
      } catch (JMException e) {
        throw new IllegalStateException("Cannot register the listener MBean: " + e, e);
      }
    }
  }

  /** Unregisters what {@link #register} registered; idempotent. */
  void unregisterAll() {
    for (ObjectName name : registered) {
      try {
        server.unregisterMBean(name);
      } catch (JMException e) {
        LOG.fine(() -> "MBean " + name + " was already gone: " + e);
      }
    }
    registered.clear();
  }
}
