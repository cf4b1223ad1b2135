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
 * the batch to that node's {@link Inbox} and returns the per-message outcome.
 */
public final class ForwardedBatch implements Callable<byte[]>, DataSerializable,
    HazelcastInstanceAware {
  private byte[] batch;
  private transient HazelcastInstance instance;

  /** For Hazelcast's deserialisation. */
  public ForwardedBatch() {
  }

  ForwardedBatch(byte[] batch) {
    this.batch = batch;
  }

  @Override
  public void setHazelcastInstance(HazelcastInstance value) {
    this.instance = value;
  }

  @Override
  public byte[] call() throws Exception {
    Object inbox = instance.getUserContext().get(ClusterNode.INBOX);
    if (!(inbox instanceof Inbox target)) {
      throw new IllegalStateException("no FerryMQ broker on this member");
    }
    return target.take(batch);
  }

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    out.writeByteArray(batch);
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    batch = in.readByteArray();
  }
}
