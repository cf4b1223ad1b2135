package org.ferrymq.ra;

import jakarta.resource.ResourceException;
import jakarta.resource.spi.ConnectionManager;
import javax.naming.Reference;
import org.ferrymq.api.MqttConnection;
import org.ferrymq.api.MqttConnectionFactory;

/** The container-managed factory handed out from JNDI. */
final class MqttConnectionFactoryImpl implements MqttConnectionFactory {

  private static final long serialVersionUID = 1L;

  private final transient FerryManagedConnectionFactory managedFactory;
  private final transient ConnectionManager connectionManager;
  private Reference reference;

  MqttConnectionFactoryImpl(FerryManagedConnectionFactory managedFactory,
      ConnectionManager connectionManager) {
    this.managedFactory = managedFactory;
    this.connectionManager = connectionManager;
  }

  @Override
  public MqttConnection getConnection() throws ResourceException {
    return (MqttConnection) connectionManager.allocateConnection(managedFactory, null);
  }

  @Override
  public void setReference(Reference reference) {
    this.reference = reference;
  }

  @Override
  public Reference getReference() {
    return reference;
  }
}
