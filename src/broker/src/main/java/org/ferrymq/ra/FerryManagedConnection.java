package org.ferrymq.ra;

import jakarta.resource.NotSupportedException;
import jakarta.resource.ResourceException;
import jakarta.resource.spi.ConnectionEvent;
import jakarta.resource.spi.ConnectionEventListener;
import jakarta.resource.spi.ConnectionRequestInfo;
import jakarta.resource.spi.LocalTransaction;
import jakarta.resource.spi.ManagedConnection;
import jakarta.resource.spi.ManagedConnectionMetaData;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.security.auth.Subject;
import javax.transaction.xa.XAResource;

/**
 * A pooled, in-process "connection" to the broker. It holds no socket: it tracks handles so the
 * container can pool it, and publishing goes to the broker directly. Thread-safe.
 */
final class FerryManagedConnection implements ManagedConnection {

  private final List<ConnectionEventListener> listeners = new CopyOnWriteArrayList<>();
  private final List<MqttConnectionImpl> handles = new CopyOnWriteArrayList<>();
  private volatile PrintWriter logWriter;

  @Override
  public Object getConnection(Subject subject, ConnectionRequestInfo info) {
    MqttConnectionImpl handle = new MqttConnectionImpl(this);
    handles.add(handle);
    return handle;
  }

  @Override
  public void associateConnection(Object connection) throws ResourceException {
    if (!(connection instanceof MqttConnectionImpl handle)) {
      throw new ResourceException("Not a FerryMQ connection handle: " + connection);
    }
    handle.associate(this);
    handles.add(handle);
  }

  void handleClosed(MqttConnectionImpl handle) {
    handles.remove(handle);
    ConnectionEvent event = new ConnectionEvent(this, ConnectionEvent.CONNECTION_CLOSED);
    event.setConnectionHandle(handle);
    for (ConnectionEventListener listener : listeners) {
      listener.connectionClosed(event);
    }
  }

  @Override
  public void cleanup() {
    for (MqttConnectionImpl handle : handles) {
      handle.invalidate();
    }
    handles.clear();
  }

  @Override
  public void destroy() {
    cleanup();
    listeners.clear();
  }

  @Override
  public void addConnectionEventListener(ConnectionEventListener listener) {
    listeners.add(listener);
  }

  @Override
  public void removeConnectionEventListener(ConnectionEventListener listener) {
    listeners.remove(listener);
  }

  @Override
  public XAResource getXAResource() throws ResourceException {
    throw new NotSupportedException("FerryMQ publishing is not transactional");
  }

  @Override
  public LocalTransaction getLocalTransaction() throws ResourceException {
    throw new NotSupportedException("FerryMQ publishing is not transactional");
  }

  @Override
  public ManagedConnectionMetaData getMetaData() {
    return new ManagedConnectionMetaData() {
      @Override
      public String getEISProductName() {
        return "FerryMQ";
      }

      @Override
      public String getEISProductVersion() {
        return "0.1.0";
      }

      @Override
      public int getMaxConnections() {
        return 0;
      }

      @Override
      public String getUserName() {
        return "";
      }
    };
  }

  @Override
  public void setLogWriter(PrintWriter out) {
    this.logWriter = out;
  }

  @Override
  public PrintWriter getLogWriter() {
    return logWriter;
  }
}
