package org.ferrymq.engine;

/**
 * A point-in-time snapshot of the broker's counters, for metrics, health and {@code $SYS}.
 *
 * @param uptimeSeconds seconds since start
 * @param connectionsOpen network connections currently open (including before CONNECT)
 * @param clientsConnected clients with an accepted CONNECT
 * @param clientsTotal sessions known, connected or not
 * @param connectionsTotal connections accepted since start
 * @param subscriptions subscriptions in the index
 * @param retainedMessages retained messages stored
 * @param messagesReceived PUBLISH packets received from clients and in-process publishers
 * @param messagesSent PUBLISH packets sent to clients and in-process subscribers
 * @param bytesReceived bytes read from transports
 * @param bytesSent bytes written to transports
 * @param messagesDropped messages discarded: queue full, expired, too large for the client, QoS 0
 *     to an offline or slow client
 * @param messagesQueued messages currently held in session queues
 */
public record BrokerStats(long uptimeSeconds, long connectionsOpen, long clientsConnected,
    long clientsTotal, long connectionsTotal, long subscriptions, long retainedMessages,
    long messagesReceived, long messagesSent, long bytesReceived, long bytesSent,
    long messagesDropped, long messagesQueued) {
}
