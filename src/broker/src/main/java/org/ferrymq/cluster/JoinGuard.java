package org.ferrymq.cluster;

import com.hazelcast.instance.impl.DefaultNodeContext;
import com.hazelcast.instance.impl.DefaultNodeExtension;
import com.hazelcast.instance.impl.Node;
import com.hazelcast.instance.impl.NodeExtension;
import com.hazelcast.internal.cluster.impl.JoinMessage;
import com.hazelcast.internal.cluster.impl.JoinRequest;
import java.util.concurrent.atomic.LongAdder;

/**
 * Refuses a join request whose member does not prove it knows the shared secret. Hazelcast's
 * open-source edition has no member authentication (JAAS security, TLS and socket interceptors
 * are Enterprise features); its master does call the node extension's {@code
 * validateJoinRequest} for every join request and answers a failure with a refusal that stops
 * the joining member. This uses Hazelcast's internal {@code NodeContext}/{@code NodeExtension}
 * (stable across 4.x and 5.x, yet not a public API): a Hazelcast upgrade runs
 * {@code ClusterNodesTest#aStrangerWithoutTheSecretCannotJoin} before it is taken.
 */
final class JoinGuard extends DefaultNodeExtension {
  private final JoinProof proof;
  private final LongAdder refused;

  private JoinGuard(Node node, JoinProof proof, LongAdder refused) {
    super(node);
    this.proof = proof;
    this.refused = refused;
  }

  /**
   * @param refused counts the join requests this node refused as master
   * @return a node context whose nodes guard their joins with {@code proof}
   */
  static DefaultNodeContext context(JoinProof proof, LongAdder refused) {
    return new DefaultNodeContext() {
      @Override
      public NodeExtension createNodeExtension(Node node) {
        return new JoinGuard(node, proof, refused);
      }
    };
  }

  @Override
  public void validateJoinRequest(JoinMessage message) {
    super.validateJoinRequest(message);
    if (message instanceof JoinRequest request
        && !proof.verifies(request.getAttributes().get(JoinProof.ATTRIBUTE))) {
      refused.increment();
      throw new SecurityException("FerryMQ refused member " + request.getAddress()
          + ": it does not prove it knows mqtt.cluster.secret");
    }
  }
}
