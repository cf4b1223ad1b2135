package org.ferrymq.config;

/** The security posture chosen with {@code mqtt.security.profile}. */
public enum SecurityProfile {
  /** Anonymous clients, every listener, topics allowed unless denied: for development only. */
  DEV,
  /** Authenticated clients on TLS listeners only, topics denied unless an ACL rule allows. */
  SECURE
}
