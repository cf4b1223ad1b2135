package org.ferrymq.engine;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.ferrymq.packet.ReasonCode;
import org.ferrymq.security.ban.Ban;

/**
 * Holds banned clients off at CONNECT and drops banned ones already connected. A refusal is
 * CONNACK 0x8A Banned (MQTT 3.1.1: return code 5, not authorized [MQTT-3.2.2-6]) counted as
 * {@link AuthRefusal#BANNED}; a connected client gets DISCONNECT 0x8A (MQTT 5).
 */
final class BanCheck {
  private BanCheck() {
  }

  /**
   * Refuses the CONNECT if its client id, the user name or the peer address is banned.
   *
   * @param username the CONNECT's user name or the authenticated identity's; may be null
   * @return whether it was refused (CONNACK sent, connection closing)
   */
  static boolean refused(ConnectionHandler h, String username) {
    Ban ban = h.core().bans.match(h.clientId(), username, addressOf(h));
    if (ban == null) {
      return false;
    }
    h.core().security.authRefused(AuthRefusal.BANNED);
    ConnectFlow.refuse(h, ReasonCode.BANNED, "banned by " + ban.kind().label());
    return true;
  }

  /** Disconnects every connected client the ban list now matches; each on its own lane. */
  static void disconnectBanned(BrokerCore core) {
    for (SessionHandle handle : core.sessions.all()) {
      Session s = (Session) handle;
      if (s.isOnline()) {
        s.lane().execute(() -> {
          ConnectionHandler c = s.connection();
          if (c != null && core.bans.match(s.clientId(), usernameOf(s), addressOf(c)) != null) {
            core.security.authRefused(AuthRefusal.BANNED);
            c.closeWith(ReasonCode.ADMINISTRATIVE_ACTION, "banned");
          }
        });
      }
    }
  }

  private static String usernameOf(Session s) {
    return s.identity() == null ? null : s.identity().username();
  }

  private static InetAddress addressOf(ConnectionHandler h) {
    InetSocketAddress remote = h.transport().info().remoteAddress();
    return remote == null ? null : remote.getAddress();
  }
}
