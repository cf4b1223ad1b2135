package org.ferrymq.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import java.io.IOException;
import java.util.concurrent.Callable;

/**
 * How a node's sessions took messages another node forwarded, sent back to that node and run
 * there: each number's receipt learns {@link Inbox#TAKEN} or {@link Inbox#FAILED}, which
 * releases (or fails) its publisher's acknowledgement.
 */
public final class SettledBatch implements Callable<Boolean>, DataSerializable,
    HazelcastInstanceAware {
  private String from;
  private long[] ids;
  private byte[] outcomes;
  private transient HazelcastInstance instance;

  /** For Hazelcast's deserialisation. */
  public SettledBatch() {
  }

  SettledBatch(String from, long[] ids, byte[] outcomes) {
    this.from = from;
    this.ids = ids;
    this.outcomes = outcomes;
  }

  @Override
  public void setHazelcastInstance(HazelcastInstance value) {
    this.instance = value;
  }

  @Override
  public Boolean call() {
    ClusterNode.local(instance, PeerForwarder.class).settle(from, ids, outcomes);
    return Boolean.TRUE;
  }

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    out.writeString(from);
    out.writeLongArray(ids);
    out.writeByteArray(outcomes);
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    from = in.readString();
    ids = in.readLongArray();
    outcomes = in.readByteArray();
  }
}
