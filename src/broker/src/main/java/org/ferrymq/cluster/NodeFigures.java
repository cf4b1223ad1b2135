package org.ferrymq.cluster;

/**
 * One member of the cluster as the dashboard's node list shows it: its figures as it last
 * reported them with its {@code $SYS} publish (every {@code mqtt.sys-interval}).
 *
 * @param nodeId the member's node id
 * @param address its cluster {@code host:port}
 * @param self whether it is the node that answers
 * @param reported whether it has reported figures yet (the others are then 0)
 * @param clientsConnected its clients with an accepted CONNECT
 * @param connectionsOpen its network connections
 * @param messagesReceived PUBLISH packets it received since it started
 * @param messagesSent PUBLISH packets it sent since it started
 */
public record NodeFigures(String nodeId, String address, boolean self, boolean reported,
    long clientsConnected, long connectionsOpen, long messagesReceived, long messagesSent) {
}
