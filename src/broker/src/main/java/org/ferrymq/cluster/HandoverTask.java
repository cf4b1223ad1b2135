package org.ferrymq.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import java.io.IOException;
import java.util.concurrent.Callable;

/**
 * A CONNECT on one node claims a session another node holds: run on the holder by Hazelcast's
 * executor, it has that node release the session ({@link ClusterSessions#release}) and answers
 * with the encoded claim ({@link ClaimCodec}).
 */
public final class HandoverTask implements Callable<byte[]>, DataSerializable,
    HazelcastInstanceAware {
  private String clientId;
  private String username;
  private boolean cleanStart;
  private String claimant;
  private transient HazelcastInstance instance;

  /** For Hazelcast's deserialisation. */
  public HandoverTask() {
  }

  /** @param claimant the node id of the CONNECT's node, where the session's messages follow */
  HandoverTask(String clientId, String username, boolean cleanStart, String claimant) {
    this.clientId = clientId;
    this.username = username;
    this.cleanStart = cleanStart;
    this.claimant = claimant;
  }

  String clientId() {
    return clientId;
  }

  boolean cleanStart() {
    return cleanStart;
  }

  @Override
  public void setHazelcastInstance(HazelcastInstance value) {
    this.instance = value;
  }

  @Override
  public byte[] call() throws Exception {
    return ClusterNode.local(instance, ClusterSessions.class).release(clientId, username,
        cleanStart, claimant);
  }

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    out.writeString(clientId);
    out.writeString(username);
    out.writeBoolean(cleanStart);
    out.writeString(claimant);
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    clientId = in.readString();
    username = in.readString();
    cleanStart = in.readBoolean();
    claimant = in.readString();
  }
}
