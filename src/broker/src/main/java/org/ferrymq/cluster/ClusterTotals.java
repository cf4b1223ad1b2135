package org.ferrymq.cluster;

/**
 * Figures summed over the cluster's members, each member's as it last reported them (with its
 * {@code $SYS} figures, every {@code mqtt.sys-interval}).
 *
 * @param members members in the cluster now, this one included
 * @param reporting members whose figures are in the sums (a member that just joined, or runs
 *     with {@code $SYS} off, has reported none yet)
 * @param clientsConnected clients with an accepted CONNECT, over the members
 * @param connectionsOpen network connections open, over the members
 * @param messagesReceived PUBLISH packets received since each member started
 * @param messagesSent PUBLISH packets sent since each member started
 */
public record ClusterTotals(int members, int reporting, long clientsConnected,
    long connectionsOpen, long messagesReceived, long messagesSent) {
}
