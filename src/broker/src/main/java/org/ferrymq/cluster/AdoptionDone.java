package org.ferrymq.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import java.io.IOException;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * An adopter's word, run on every member, that it took over the sessions of a member that
 * left and routed what it was sent for them: the members stop pointing that member's filters
 * at it (those it announces itself stay), and a CONNECT for such a session asks it.
 */
public final class AdoptionDone implements Callable<Boolean>, DataSerializable,
    HazelcastInstanceAware {
  private String adopter;
  private String departed;
  private String[] filters;
  private transient HazelcastInstance instance;

  /** For Hazelcast's deserialisation. */
  public AdoptionDone() {
  }

  /** @param adopterFilters the filters the adopter announces now */
  AdoptionDone(String adopter, String departed, Set<String> adopterFilters) {
    this.adopter = adopter;
    this.departed = departed;
    this.filters = adopterFilters.toArray(String[]::new);
  }

  @Override
  public void setHazelcastInstance(HazelcastInstance value) {
    this.instance = value;
  }

  @Override
  public Boolean call() {
    applyTo(ClusterNode.local(instance, Adoptions.class));
    return Boolean.TRUE;
  }

  void applyTo(Adoptions adoptions) {
    adoptions.noticed(adopter, departed, Set.of(filters));
  }

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    out.writeString(adopter);
    out.writeString(departed);
    out.writeStringArray(filters);
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    adopter = in.readString();
    departed = in.readString();
    filters = in.readStringArray();
  }
}
