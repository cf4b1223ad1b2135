package org.ferrymq.engine;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.RejectedExecutionException;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.ferrymq.config.Setting;
import org.ferrymq.packet.ReasonCode;
import org.ferrymq.security.AuthenticationResult;
import org.ferrymq.security.Authenticator;
import org.ferrymq.security.ConnectRequest;
import org.ferrymq.security.limit.LoginThrottle;

/**
 * The credential check of a CONNECT without an Authentication Method, off the lane: the
 * {@link Authenticator} runs on the {@link AuthExecutor} and the result comes back to the
 * client's lane, which completes the CONNECT. Meanwhile the connection is {@code CHECKING}: its
 * later packets wait, in order, for the CONNACK ({@link ConnectionHandler}), and the connect
 * timeout still runs. A connection that closes or times out meanwhile ignores the result, so it
 * never gets a session.
 *
 * <p>Also the {@link LoginThrottle}'s place in the flow: a throttled attempt is refused before
 * any check (MQTT 5: 0x9F Connection rate exceeded; MQTT 3: return code 5 Not authorized, as 3
 * would tell the client the server is down), and every refused credential (0x86, 0x87) counts
 * against its source address and user name.
 */
final class CredentialCheck {
  private static final Logger LOG = Logger.getLogger(CredentialCheck.class.getName());

  private CredentialCheck() {
  }

  /** @return whether the attempt was refused by the throttle (and the connection closed) */
  static boolean throttled(ConnectionHandler h, ConnectRequest request) {
    LoginThrottle.Refusal refusal = h.core().loginThrottle.check(addressOf(request),
        request.username());
    if (refusal == null) {
      return false;
    }
    h.core().metrics.authThrottled.increment();
    h.core().security.authRefused(AuthRefusal.THROTTLED);
    ReasonCode code = h.version().isV5() ? ReasonCode.CONNECTION_RATE_EXCEEDED
        : ReasonCode.NOT_AUTHORIZED;
    // The episode was logged when it began; each refused attempt is only counted
    ConnectFlow.refuse(h, code, "too many failed logins of " + refusal.what() + "; try again in "
        + refusal.remainingMillis() / 1000 + " s", Level.FINE);
    return true;
  }

  /** Authenticates on the lane when that cannot block, else hands the check off. */
  static void start(ConnectionHandler h, ConnectRequest request) {
    BrokerCore core = h.core();
    Authenticator authenticator = core.authenticator;
    if (!authenticator.mayBlock(request)) {
      complete(h, request, authenticate(authenticator, request));
      return;
    }
    h.checking();
    Lane lane = h.lane();
    try {
      core.authExecutor.execute(() -> {
        AuthenticationResult result = authenticate(authenticator, request);
        lane.executeHere(() -> resume(h, request, result));
      });
      core.authQueueFull.set(false);
    } catch (RejectedExecutionException e) {
      core.metrics.authRefusedBusy.increment();
      core.security.authRefused(AuthRefusal.SERVER_BUSY);
      if (core.authQueueFull.compareAndSet(false, true)) {
        LOG.warning(() -> "Credential checks are queued to the limit (" + Setting.AUTH_QUEUE.key()
            + "=" + core.config.authQueue() + ", " + Setting.AUTH_THREADS.key() + "="
            + core.config.authThreads() + "): CONNECTs are refused as server busy until the "
            + "queue has room; " + core.metrics.authRefusedBusy.sum() + " refused since start");
      }
      ConnectFlow.refuse(h, ReasonCode.SERVER_BUSY, "credential checks queue full", Level.FINE);
    }
  }

  /** On the lane again: completes the CONNECT unless the connection ended meanwhile. */
  private static void resume(ConnectionHandler h, ConnectRequest request,
      AuthenticationResult result) {
    if (h.state() != ConnectionHandler.State.CHECKING) {
      // Closed while the check ran: no session, no CONNACK
      return;
    }
    if (h.closedBeforeConnAck()) {
      h.closeSilently();
      return;
    }
    complete(h, request, result);
    h.resumeDeferred();
  }

  private static void complete(ConnectionHandler h, ConnectRequest request,
      AuthenticationResult result) {
    if (result instanceof AuthenticationResult.Failure f) {
      loginFailed(h.core(), request, f.reasonCode());
      ConnectFlow.refuse(h, f.reasonCode(), f.logMessage());
    } else {
      h.core().loginThrottle.succeeded(request.username());
      ConnectFlow.accept(h, ((AuthenticationResult.Success) result).identity(), null, null);
    }
  }

  /**
   * Counts a refused login by its reason; a refused credential (not a server-side failure) also
   * counts against address and user in the throttle.
   */
  static void loginFailed(BrokerCore core, ConnectRequest request, ReasonCode reason) {
    core.security.authRefused(AuthRefusal.of(reason));
    if (reason == ReasonCode.BAD_USER_NAME_OR_PASSWORD || reason == ReasonCode.NOT_AUTHORIZED) {
      core.metrics.authFailures.increment();
      core.loginThrottle.failed(addressOf(request), request.username());
    }
  }

  private static AuthenticationResult authenticate(Authenticator authenticator,
      ConnectRequest request) {
    try {
      return authenticator.authenticate(request);
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "Authenticating client '" + request.clientId() + "' failed", e);
      return new AuthenticationResult.Failure(ReasonCode.SERVER_UNAVAILABLE,
          "the credential check failed: " + e);
    }
  }

  private static InetAddress addressOf(ConnectRequest request) {
    InetSocketAddress peer = request.transport().remoteAddress();
    return peer == null ? null : peer.getAddress();
  }
}
