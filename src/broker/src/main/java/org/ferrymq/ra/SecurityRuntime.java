package org.ferrymq.ra;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.ferrymq.config.SecurityConfig;
import org.ferrymq.security.BrokerAuthenticator;
import org.ferrymq.security.OriginPolicy;

/**
 * The running broker's authenticator, published by {@link FerryResourceAdapter} so that the web
 * module can install the credential checks that need Liberty's security services (the user
 * registry, MicroProfile JWT). Like {@link BrokerRuntime}, the web module loads this class from
 * the adapter, so both see one instance. Thread-safe.
 */
public final class SecurityRuntime {

  private static final AtomicReference<Published> CURRENT = new AtomicReference<>();

  private SecurityRuntime() {
  }

  /**
   * The broker's security.
   *
   * @param authenticator completed with {@link BrokerAuthenticator#install}
   * @param config the security settings in force
   * @param origins which web origins may open a WebSocket (Liberty's endpoint asks it too, so
   *     both paths share one policy and one refusal count)
   */
  public record Published(BrokerAuthenticator authenticator, SecurityConfig config,
      OriginPolicy origins) {
  }

  /** @return the running broker's security, empty before start and after stop */
  public static Optional<Published> current() {
    return Optional.ofNullable(CURRENT.get());
  }

  static void started(BrokerAuthenticator authenticator, SecurityConfig config,
      OriginPolicy origins) {
    CURRENT.set(new Published(authenticator, config, origins));
  }

  static void stopped() {
    CURRENT.set(null);
  }
}
