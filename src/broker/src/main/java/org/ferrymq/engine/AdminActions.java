package org.ferrymq.engine;

import java.util.ArrayList;
import java.util.TreeMap;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.ferrymq.message.Message;
import org.ferrymq.packet.ReasonCode;
import org.ferrymq.security.ban.Ban;
import org.ferrymq.security.ban.BanKind;

/**
 * What the admin API asks of the engine beyond the published readings: a session's detail and
 * its deletion run on the session's lane (the caller gets a future), retained messages are read
 * and deleted through their thread-safe tree, and bans change the list every lane reads.
 */
final class AdminActions {
  private AdminActions() {
  }

  static CompletableFuture<Optional<ClientDetail>> detail(BrokerCore core, String clientId) {
    return onSessionLane(core, clientId, s -> Optional.of(s.detail()), Optional.empty());
  }

  /**
   * Disconnects the client if connected (MQTT 5: DISCONNECT 0x98) and ends its session:
   * subscriptions, queue and stored record go, and a Will still held is published.
   */
  static CompletableFuture<Boolean> deleteSession(BrokerCore core, String clientId) {
    return onSessionLane(core, clientId, s -> {
      ConnectionHandler c = s.connection();
      if (c != null) {
        c.closeWith(ReasonCode.ADMINISTRATIVE_ACTION, "session deleted by an administrator");
      }
      // a session with expiry 0 ended with its connection already
      if (core.session(clientId) == s) {
        SessionEnd.endSession(core, s);
      }
      return true;
    }, false);
  }

  /** Runs {@code action} on the lane of the session, or answers {@code absent} if there is none. */
  private static <T> CompletableFuture<T> onSessionLane(BrokerCore core, String clientId,
      java.util.function.Function<Session, T> action, T absent) {
    CompletableFuture<T> result = new CompletableFuture<>();
    Session s = core.session(clientId);
    if (s == null) {
      result.complete(absent);
      return result;
    }
    s.lane().execute(() -> {
      try {
        // it may have ended or been replaced between the lookup and now
        result.complete(core.session(clientId) == s ? action.apply(s) : absent);
      } catch (RuntimeException e) {
        result.completeExceptionally(e);
      }
    });
    return result;
  }

  /** The first {@code limit} matches by topic, keeping no more than that many at once. */
  static RetainedPage retained(BrokerCore core, String filter, int limit) {
    TreeMap<String, Message> first = new TreeMap<>();
    boolean[] more = {false};
    core.retained.forEachMatching(filter, (topic, m) -> {
      first.put(topic, m);
      if (first.size() > limit) {
        first.pollLastEntry();
        more[0] = true;
      }
    });
    return new RetainedPage(new ArrayList<>(first.values()), more[0]);
  }

  static boolean deleteRetained(BrokerCore core, String topic) {
    return core.retained.delete(topic);
  }

  static void ban(BrokerCore core, Ban ban) {
    core.bans.add(ban);
    BanCheck.disconnectBanned(core);
  }

  static boolean unban(BrokerCore core, BanKind kind, String value) {
    return core.bans.remove(kind, value);
  }
}
