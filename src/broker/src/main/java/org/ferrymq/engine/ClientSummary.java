package org.ferrymq.engine;

import java.io.Serializable;
import java.time.Instant;
import org.ferrymq.packet.ProtocolVersion;
import org.ferrymq.transport.TransportKind;

/**
 * What the admin view shows about one session.
 *
 * @param clientId the client identifier
 * @param connected whether a network connection is attached
 * @param transport how it connected ({@code null} while offline)
 * @param version protocol version of the last connection
 * @param connectedSince when the current connection was accepted ({@code null} while offline)
 * @param subscriptions number of subscriptions
 * @param queuedMessages messages waiting to be delivered, including unacknowledged ones
 * @param username the authenticated user, {@code null} when anonymous
 *
 * <p>Serializable: a cluster member answers another's query for its clients with these.
 */
public record ClientSummary(String clientId, boolean connected, TransportKind transport,
    ProtocolVersion version, Instant connectedSince, int subscriptions, int queuedMessages,
    String username) implements Serializable {
}
