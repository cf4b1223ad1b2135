package org.ferrymq.security;

import java.util.Objects;
import org.ferrymq.packet.ReasonCode;

/** The outcome of authenticating a CONNECT. */
public sealed interface AuthenticationResult {

  /** Accepted as this identity. */
  record Success(ClientIdentity identity) implements AuthenticationResult {
    public Success {
      Objects.requireNonNull(identity, "identity");
    }
  }

  /**
   * Refused; the reason code goes into CONNACK (0x86 bad credentials, 0x87 not authorized,
   * 0x8A banned...), mapped to a return code for MQTT 3.
   */
  record Failure(ReasonCode reasonCode, String logMessage) implements AuthenticationResult {
    public Failure {
      Objects.requireNonNull(reasonCode, "reasonCode");
    }
  }
}
