package org.ferrymq.engine;

/**
 * What a CONNECT learns when it asks the cluster for its client's session ({@link
 * SessionHandover}).
 *
 * @param outcome how the node that held the session answered
 * @param session the session handed over; null unless {@link Outcome#HANDED_OVER}
 * @param reason why the claim was refused or failed, for the log and the reason string; null
 *     otherwise
 */
public record SessionClaim(Outcome outcome, ExportedSession session, String reason) {

  /** How a claim ended. */
  public enum Outcome {
    /** No other node holds the session (or a clean start ended it there): start as usual. */
    NOT_HELD,
    /** The session moved here: resume it. */
    HANDED_OVER,
    /** It belongs to another identity ([MQTT-3.1.3-5]): CONNACK 0x85. */
    REFUSED,
    /** Its node did not answer in time or failed: CONNACK 0x88 Server unavailable. */
    UNAVAILABLE
  }

  private static final SessionClaim NOT_HELD = new SessionClaim(Outcome.NOT_HELD, null, null);

  public static SessionClaim notHeld() {
    return NOT_HELD;
  }

  public static SessionClaim handedOver(ExportedSession session) {
    return new SessionClaim(Outcome.HANDED_OVER, session, null);
  }

  public static SessionClaim refused(String reason) {
    return new SessionClaim(Outcome.REFUSED, null, reason);
  }

  public static SessionClaim unavailable(String reason) {
    return new SessionClaim(Outcome.UNAVAILABLE, null, reason);
  }
}
