package org.ferrymq.cluster;

/**
 * A forwarded batch reached a node whose broker does not run (stopping, or not started yet)
 * while its member stays in the cluster. The origin keeps the batch owed and offers it again:
 * a starting broker takes it, and a stopping one's member leaves, and the batch goes to the node
 * adopting its sessions, as a dead member's would ({@link PeerForwarder}). Crosses the network
 * as the failure of the batch's task.
 */
public final class NodeStoppingException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  NodeStoppingException() {
    super("the broker of this cluster member is stopping");
  }
}
