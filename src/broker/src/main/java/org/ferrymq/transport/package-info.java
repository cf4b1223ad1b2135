/**
 * The boundary between network listeners and the engine. A listener wraps each connection in a
 * {@link org.ferrymq.transport.Transport}, hands it to a
 * {@link org.ferrymq.transport.ConnectionAcceptor} and feeds the returned
 * {@link org.ferrymq.transport.InboundHandler}; nothing else crosses.
 */
package org.ferrymq.transport;
