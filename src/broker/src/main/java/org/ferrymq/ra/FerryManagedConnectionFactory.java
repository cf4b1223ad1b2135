package org.ferrymq.ra;

import jakarta.resource.ResourceException;
import jakarta.resource.spi.ConnectionDefinition;
import jakarta.resource.spi.ConnectionManager;
import jakarta.resource.spi.ConnectionRequestInfo;
import jakarta.resource.spi.ManagedConnection;
import jakarta.resource.spi.ManagedConnectionFactory;
import jakarta.resource.spi.ResourceAdapter;
import jakarta.resource.spi.ResourceAdapterAssociation;
import java.io.PrintWriter;
import java.util.Set;
import javax.security.auth.Subject;
import org.ferrymq.api.MqttConnection;
import org.ferrymq.api.MqttConnectionFactory;

/**
 * Creates the outbound {@link MqttConnectionFactory}. All managed connections are equivalent, so
 * any pooled one matches any request.
 */
@ConnectionDefinition(
    connectionFactory = MqttConnectionFactory.class,
    connectionFactoryImpl = MqttConnectionFactoryImpl.class,
    connection = MqttConnection.class,
    connectionImpl = MqttConnectionImpl.class)
public class FerryManagedConnectionFactory
    implements ManagedConnectionFactory, ResourceAdapterAssociation {

  private static final long serialVersionUID = 1L;

  private transient ResourceAdapter resourceAdapter;
  private transient PrintWriter logWriter;

  @Override
  public Object createConnectionFactory(ConnectionManager manager) {
    return new MqttConnectionFactoryImpl(this, manager);
  }

  @Override
  public Object createConnectionFactory() throws ResourceException {
    throw new ResourceException("FerryMQ connection factories need the application server");
  }

  @Override
  public ManagedConnection createManagedConnection(Subject subject, ConnectionRequestInfo info) {
    return new FerryManagedConnection();
  }

  @Override
  @SuppressWarnings("rawtypes")
  public ManagedConnection matchManagedConnections(Set connections, Subject subject,
      ConnectionRequestInfo info) {
    for (Object candidate : connections) {
      if (candidate instanceof FerryManagedConnection managed) {
        return managed;
      }
    }
    return null;
  }

  @Override
  public void setLogWriter(PrintWriter out) {
    this.logWriter = out;
  }

  @Override
  public PrintWriter getLogWriter() {
    return logWriter;
  }

  @Override
  public ResourceAdapter getResourceAdapter() {
    return resourceAdapter;
  }

  @Override
  public void setResourceAdapter(ResourceAdapter adapter) {
    this.resourceAdapter = adapter;
  }

  // One factory per configured connectionFactory element; identity is the right equality.
  @Override
  public boolean equals(Object other) {
    return this == other;
  }

  @Override
  public int hashCode() {
    return System.identityHashCode(this);
  }
}
