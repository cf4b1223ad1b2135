package org.ferrymq.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import java.io.IOException;
import java.util.concurrent.Callable;

/**
 * A batch of messages one node forwards to another, run there by Hazelcast's executor: it hands
 * the batch to that node's {@link Inbox}, which routes it, and answers once it is routed (not
 * yet taken: the settlements follow on their own, {@link SettledBatch}).
 */
public final class ForwardedBatch implements Callable<Integer>, DataSerializable,
    HazelcastInstanceAware {
  private String origin;
  private long firstId;
  private byte[] batch;
  private transient HazelcastInstance instance;

  /** For Hazelcast's deserialisation. */
  public ForwardedBatch() {
  }

  /**
   * @param origin the sending node's id, where the settlements go
   * @param firstId the first message's number; the others follow consecutively
   */
  ForwardedBatch(String origin, long firstId, byte[] batch) {
    this.origin = origin;
    this.firstId = firstId;
    this.batch = batch;
  }

  /** @return the number of the batch's first message */
  long firstId() {
    return firstId;
  }

  @Override
  public void setHazelcastInstance(HazelcastInstance value) {
    this.instance = value;
  }

  @Override
  public Integer call() throws Exception {
    return ClusterNode.local(instance, Inbox.class).take(origin, firstId, batch);
  }

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    out.writeString(origin);
    out.writeLong(firstId);
    out.writeByteArray(batch);
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    origin = in.readString();
    firstId = in.readLong();
    batch = in.readByteArray();
  }
}
