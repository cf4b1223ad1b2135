package org.ferrymq.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import java.io.Serial;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.concurrent.Callable;
import org.ferrymq.engine.ClientSummary;
import org.ferrymq.engine.MqttBroker;

/**
 * Asks one member for its clients: run on that member through the admin executor, it reads the
 * member's broker (network clients only, as its admin API lists them).
 */
final class ClientsQuery implements Callable<ArrayList<ClientSummary>>, HazelcastInstanceAware,
    Serializable {
  @Serial
  private static final long serialVersionUID = 1L;

  private transient HazelcastInstance instance;

  @Override
  public void setHazelcastInstance(HazelcastInstance hazelcastInstance) {
    this.instance = hazelcastInstance;
  }

  @Override
  public ArrayList<ClientSummary> call() {
    return new ArrayList<>(ClusterNode.local(instance, MqttBroker.class).clients());
  }
}
