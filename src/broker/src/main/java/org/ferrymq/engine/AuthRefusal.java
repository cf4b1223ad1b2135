package org.ferrymq.engine;

import java.util.Locale;
import org.ferrymq.packet.ReasonCode;

/** Why a login was refused, as counted in {@code ferrymq_auth_refusals_by_reason}. */
public enum AuthRefusal {
  /** 0x86 / return code 4: wrong user name, password, token or SCRAM proof. */
  BAD_CREDENTIALS,
  /** 0x87 / return code 5: authenticated or not, the client may not connect. */
  NOT_AUTHORIZED,
  /** 0x9F / return code 5: refused unchecked by the login throttle. */
  THROTTLED,
  /** 0x88 / return code 3: the user registry or token keys could not answer. */
  SERVER_UNAVAILABLE,
  /** 0x89 / return code 3: the credential-check queue was full. */
  SERVER_BUSY,
  /** 0x8C / return code 4: an Authentication Method the broker does not offer. */
  BAD_AUTHENTICATION_METHOD,
  /** 0x8A / return code 5: the client is banned. */
  BANNED,
  /** Any other reason code an authenticator chose. */
  OTHER;

  /** @return the refusal an authenticator's reason code stands for */
  static AuthRefusal of(ReasonCode reason) {
    return switch (reason) {
      case BAD_USER_NAME_OR_PASSWORD -> BAD_CREDENTIALS;
      case NOT_AUTHORIZED -> NOT_AUTHORIZED;
      case CONNECTION_RATE_EXCEEDED -> THROTTLED;
      case SERVER_UNAVAILABLE -> SERVER_UNAVAILABLE;
      case SERVER_BUSY -> SERVER_BUSY;
      case BAD_AUTHENTICATION_METHOD -> BAD_AUTHENTICATION_METHOD;
      case BANNED -> BANNED;
      default -> OTHER;
    };
  }

  /** @return the lower-case name used as a metric label, e.g. {@code bad_credentials} */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
