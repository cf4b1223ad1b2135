package org.ferrymq.security;

import org.ferrymq.packet.ProtocolVersion;
import org.ferrymq.transport.TransportInfo;

/**
 * The credentials a client presented.
 *
 * @param clientId the (possibly server-assigned) client identifier
 * @param username the user name, {@code null} when absent
 * @param password the password bytes, {@code null} when absent
 * @param transport connection facts including the client certificate chain
 * @param version the protocol version
 */
public record ConnectRequest(String clientId, String username, byte[] password,
    TransportInfo transport, ProtocolVersion version) {
}
