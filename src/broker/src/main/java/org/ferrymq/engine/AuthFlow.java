package org.ferrymq.engine;

import java.util.concurrent.RejectedExecutionException;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.ferrymq.packet.Auth;
import org.ferrymq.packet.Properties;
import org.ferrymq.packet.Property;
import org.ferrymq.packet.ReasonCode;
import org.ferrymq.security.ConnectRequest;
import org.ferrymq.security.EnhancedAuthenticator;
import org.ferrymq.security.EnhancedAuthenticator.AuthStep;

/**
 * MQTT 5 enhanced authentication (spec 4.12): the CONNECT/AUTH exchange before CONNACK and
 * re-authentication of a connected client, driven by an {@link EnhancedAuthenticator}.
 *
 * <p>Each step of the exchange (a SCRAM proof, a credential lookup in a registry) runs on the
 * {@link AuthExecutor}, like a plain credential check ({@link CredentialCheck}), and its answer
 * comes back to the client's lane: a slow registry delays this client only. Before CONNACK the
 * connection is {@code CHECKING} while a step runs (packets wait, the connect timeout runs);
 * after it, other packets go on and a further AUTH before the answer is a protocol error.
 */
final class AuthFlow {
  private static final Logger LOG = Logger.getLogger(AuthFlow.class.getName());
  private static final byte[] NO_DATA = new byte[0];

  private final ConnectionHandler h;
  private EnhancedAuthenticator authenticator;
  private EnhancedAuthenticator.Exchange exchange;
  private String method;
  private ConnectRequest request;
  private boolean reauthenticating;
  /** A step runs on the auth executor; its answer has not come back to the lane yet. */
  private boolean stepRunning;

  AuthFlow(ConnectionHandler h) {
    this.h = h;
  }

  /** CONNECT carried an Authentication Method. */
  void begin(String requestedMethod, ConnectRequest connectRequest, byte[] data) {
    authenticator = h.core().enhancedAuthenticators.get(requestedMethod);
    if (authenticator == null) {
      CredentialCheck.loginFailed(h.core(), connectRequest, ReasonCode.BAD_AUTHENTICATION_METHOD);
      ConnectFlow.refuse(h, ReasonCode.BAD_AUTHENTICATION_METHOD,
          "unsupported authentication method " + requestedMethod);
      return;
    }
    method = requestedMethod;
    request = connectRequest;
    h.authenticating();
    exchange = authenticator.start(request);
    next(data == null ? NO_DATA : data);
  }

  /** AUTH during the CONNECT exchange. */
  void onAuth(Auth a) {
    if (!checkContinuation(a)) {
      return;
    }
    next(data(a));
  }

  /** AUTH after CONNACK: starts (0x19) or continues (0x18) a re-authentication. */
  void onReauthenticate(Auth a) {
    if (method == null) {
      // [MQTT-4.12.1-1] re-authentication only with the method used at CONNECT
      h.closeWith(ReasonCode.PROTOCOL_ERROR, "AUTH without enhanced authentication at CONNECT");
      return;
    }
    if (stepRunning) {
      // [MQTT-4.12.0-1] a step's AUTH is answered before the client may send the next one
      h.closeWith(ReasonCode.PROTOCOL_ERROR, "AUTH before the previous one was answered");
      return;
    }
    if (a.reasonCode() == ReasonCode.RE_AUTHENTICATE) {
      if (!method.equals(a.properties().getString(Property.AUTHENTICATION_METHOD))) {
        h.closeWith(ReasonCode.PROTOCOL_ERROR, "[MQTT-4.12.0-5] authentication method changed");
        return;
      }
      reauthenticating = true;
      exchange = authenticator.start(request);
      next(data(a));
    } else if (reauthenticating && checkContinuation(a)) {
      next(data(a));
    } else if (!reauthenticating) {
      h.closeWith(ReasonCode.PROTOCOL_ERROR, "unexpected AUTH " + a.reasonCode());
    }
  }

  private boolean checkContinuation(Auth a) {
    if (a.reasonCode() != ReasonCode.CONTINUE_AUTHENTICATION) {
      fail(ReasonCode.PROTOCOL_ERROR, "expected AUTH 0x18, got " + a.reasonCode());
      return false;
    }
    if (!method.equals(a.properties().getString(Property.AUTHENTICATION_METHOD))) {
      fail(ReasonCode.PROTOCOL_ERROR, "[MQTT-4.12.0-5] authentication method changed");
      return false;
    }
    return true;
  }

  private static byte[] data(Auth a) {
    byte[] d = a.properties().getBytes(Property.AUTHENTICATION_DATA);
    return d == null ? NO_DATA : d;
  }

  /** Runs one step of the exchange off the lane; {@link #step} takes its answer on the lane. */
  private void next(byte[] clientData) {
    EnhancedAuthenticator.Exchange running = exchange;
    boolean beforeConnAck = !reauthenticating;
    if (beforeConnAck) {
      h.checking();
    }
    stepRunning = true;
    Lane lane = h.lane();
    try {
      h.core().authExecutor.execute(() -> {
        AuthStep answer = safely(running, clientData);
        lane.executeHere(() -> answered(running, beforeConnAck, answer));
      });
    } catch (RejectedExecutionException e) {
      stepRunning = false;
      h.core().metrics.authRefusedBusy.increment();
      if (beforeConnAck) {
        h.authenticating();
      }
      fail(ReasonCode.SERVER_BUSY, "credential checks queue full");
    }
  }

  private AuthStep safely(EnhancedAuthenticator.Exchange running, byte[] clientData) {
    try {
      return running.next(clientData);
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "Enhanced authentication (" + method + ") of client '"
          + h.clientId() + "' failed", e);
      return new AuthStep.Failure(ReasonCode.SERVER_UNAVAILABLE,
          "the authentication step failed: " + e);
    }
  }

  /** On the lane again: applies the step's answer unless the connection ended meanwhile. */
  private void answered(EnhancedAuthenticator.Exchange running, boolean beforeConnAck,
      AuthStep answer) {
    stepRunning = false;
    if (running != exchange) {
      return;
    }
    if (beforeConnAck) {
      if (h.state() != ConnectionHandler.State.CHECKING) {
        return; // closed while the step ran: no session, no CONNACK
      }
      if (h.closedBeforeConnAck()) {
        h.closeSilently();
        return;
      }
      h.authenticating();
      step(answer);
      h.resumeDeferred();
    } else if (h.state() == ConnectionHandler.State.CONNECTED) {
      step(answer);
    }
  }

  private void step(AuthStep next) {
    if (next instanceof AuthStep.Continue c) {
      h.send(new Auth(ReasonCode.CONTINUE_AUTHENTICATION, authProperties(c.serverData())));
    } else if (next instanceof AuthStep.Success s) {
      if (reauthenticating) {
        reauthenticating = false;
        if (!SessionOwnership.permits(h.session(), s.identity())) {
          // the session stays its owner's: re-authenticating cannot hand it to another user
          fail(ReasonCode.NOT_AUTHORIZED, "re-authenticated as another identity than the "
              + "session's owner");
          return;
        }
        SessionOwnership.bind(h.session(), s.identity(), true);
        h.reauthenticated(s.identity());
        h.send(new Auth(ReasonCode.SUCCESS, authProperties(s.serverData())));
      } else {
        h.core().loginThrottle.succeeded(request.username());
        ConnectFlow.accept(h, s.identity(), method, s.serverData());
      }
    } else {
      AuthStep.Failure f = (AuthStep.Failure) next;
      fail(f.reasonCode(), f.logMessage());
    }
  }

  private void fail(ReasonCode reason, String why) {
    if (reauthenticating || h.state() == ConnectionHandler.State.CONNECTED) {
      h.closeWith(reason, why);
    } else {
      CredentialCheck.loginFailed(h.core(), request, reason);
      ConnectFlow.refuse(h, reason, why);
    }
  }

  private Properties authProperties(byte[] data) {
    Properties.Builder b = Properties.builder().put(Property.AUTHENTICATION_METHOD, method);
    if (data != null && data.length > 0) {
      b.put(Property.AUTHENTICATION_DATA, data);
    }
    return b.build();
  }
}
