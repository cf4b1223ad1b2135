package org.ferrymq.api;

import jakarta.resource.Referenceable;
import jakarta.resource.ResourceException;
import java.io.Serializable;

/**
 * The outbound connection factory that applications look up (server.xml binds it at {@code
 * jca/ferrymq}) to publish into the broker without a network hop.
 */
public interface MqttConnectionFactory extends Serializable, Referenceable {

  /**
   * @return a connection handle; close it when done (try-with-resources)
   * @throws ResourceException when the broker is not running
   */
  MqttConnection getConnection() throws ResourceException;
}
