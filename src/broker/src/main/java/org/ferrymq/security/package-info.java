/**
 * Security SPI: who a client is ({@link org.ferrymq.security.Authenticator},
 * {@link org.ferrymq.security.EnhancedAuthenticator} for MQTT 5 AUTH exchanges) and what it may do
 * ({@link org.ferrymq.security.Authorizer}). The engine runs the protocol; implementations decide.
 * {@link org.ferrymq.security.Authenticator#authenticate} runs on the broker's credential-check
 * threads when it {@link org.ferrymq.security.Authenticator#mayBlock may block}; everything else
 * is called on the client's session lane and must not block for long.
 */
package org.ferrymq.security;
