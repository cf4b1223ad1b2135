package org.ferrymq.cluster;

/**
 * A forwarded batch reached a node whose broker is stopping: its clients are being disconnected,
 * so the origin settles the batch as it does for a member that has left the cluster. Crosses
 * the network as the failure of the batch's task.
 */
public final class NodeStoppingException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  NodeStoppingException() {
    super("the broker of this cluster member is stopping");
  }
}
