package org.ferrymq.security;

/**
 * One MQTT 5 enhanced authentication method (spec 4.12), such as SCRAM-SHA-256. The engine runs
 * the CONNECT/AUTH exchange and calls one {@link Exchange} per attempt.
 */
public interface EnhancedAuthenticator {

  /** @return the Authentication Method name this authenticator answers to */
  String method();

  /**
   * Begins an exchange for a CONNECT (or a re-authentication) that named this method.
   *
   * @param request the client's credentials and connection facts
   * @return the exchange, fed with the client's Authentication Data
   */
  Exchange start(ConnectRequest request);

  /**
   * One authentication exchange. Its steps run on the broker's credential-check threads, one
   * at a time and each after the previous one returned (so they may block on a registry), never
   * on a session lane.
   */
  interface Exchange {
    /**
     * @param clientData the Authentication Data from CONNECT or AUTH, empty when absent
     * @return the next step
     */
    AuthStep next(byte[] clientData);
  }

  /** What the engine sends next. */
  sealed interface AuthStep {
    /** Send AUTH 0x18 with this data and wait for the client's AUTH. */
    record Continue(byte[] serverData) implements AuthStep {
    }

    /** Finish: CONNACK (or AUTH 0x00 on re-authentication) with optional final data. */
    record Success(ClientIdentity identity, byte[] serverData) implements AuthStep {
    }

    /** Refuse with this reason code (CONNACK, or DISCONNECT on re-authentication). */
    record Failure(org.ferrymq.packet.ReasonCode reasonCode, String logMessage)
        implements AuthStep {
    }
  }
}
