package org.ferrymq.web.security;

import com.ibm.websphere.security.WSSecurityException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.BeforeDestroyed;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.ConfigProvider;
import org.ferrymq.ra.SecurityRuntime;
import org.ferrymq.security.BrokerAuthenticator;

/**
 * Completes the broker's authenticator when the web module starts: user names and passwords go
 * to Liberty's user registry, JWT passwords to Liberty's JWT consumer. The resource adapter starts
 * first and, until this runs, answers credentials with Server unavailable (and, in the secure
 * profile, everyone). When the module stops the checks are withdrawn again.
 */
@ApplicationScoped
public class SecurityInstaller {

  private static final Logger LOG = Logger.getLogger(SecurityInstaller.class.getName());

  @Inject
  LibertyJwtVerifier tokens;

  private BrokerAuthenticator.Backends installed;

  void install(@Observes @Initialized(ApplicationScoped.class) Object started) {
    SecurityRuntime.Published security = SecurityRuntime.current().orElse(null);
    if (security == null) {
      return;
    }
    RegistryUserDirectory directory;
    try {
      directory = RegistryUserDirectory.lookup();
    } catch (WSSecurityException | RuntimeException e) {
      LOG.log(Level.SEVERE, "FerryMQ cannot check MQTT passwords: Liberty has no user registry "
          + "(is the appSecurity feature enabled and a registry configured?): " + e);
      return;
    }
    // server.xml variables and the environment, as MicroProfile Config sees them
    if (security.config().jwtEnabled() && ConfigProvider.getConfig()
        .getOptionalValue("mqtt.jwt.jwks-url", String.class).isEmpty()) {
      LOG.warning("FerryMQ: mqtt.jwt.enabled is true but mqtt.jwt.jwks-url is not set (nor "
          + "another key source in <jwtConsumer id=\"" + LibertyJwtVerifier.CONSUMER_ID
          + "\">); every JWT password will be refused");
    }
    installed = new BrokerAuthenticator.Backends(directory, tokens);
    security.authenticator().install(installed);
    LOG.info(() -> "FerryMQ checks MQTT passwords against the user registry (realm "
        + directory.realm() + ")" + (security.config().jwtEnabled()
            ? " and JWT passwords with Liberty's jwtConsumer '" + LibertyJwtVerifier.CONSUMER_ID
                + "'" : ""));
  }

  void uninstall(@Observes @BeforeDestroyed(ApplicationScoped.class) Object stopping) {
    if (installed != null) {
      SecurityRuntime.current().ifPresent(s -> s.authenticator().uninstall(installed));
      installed = null;
    }
  }
}
