package org.ferrymq.ra;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;
import org.ferrymq.config.ConfigException;
import org.ferrymq.config.SecurityConfig;
import org.ferrymq.config.Setting;
import org.ferrymq.engine.MqttBroker;
import org.ferrymq.security.BrokerAuthenticator;
import org.ferrymq.security.EnhancedAuthenticator;
import org.ferrymq.security.OriginPolicy;
import org.ferrymq.security.acl.Acl;
import org.ferrymq.security.acl.AclParser;
import org.ferrymq.security.limit.ConnectionRateLimiter;
import org.ferrymq.security.limit.RateLimitedAcceptor;
import org.ferrymq.security.scram.ScramCredentials;
import org.ferrymq.security.scram.ScramSha256Authenticator;
import org.ferrymq.transport.ConnectionAcceptor;

/**
 * The broker's security, assembled from the {@code mqtt.security.*}, {@code mqtt.acl.*},
 * {@code mqtt.jwt.*}, {@code mqtt.limits.*} and {@code mqtt.scram.*} settings (MicroProfile
 * Config, like every engine setting): the authenticator the web module completes with Liberty's
 * user registry and MicroProfile JWT, the ACL, SCRAM-SHA-256 and the connection rate limit.
 * Immutable once built; read by the adapter's start thread only.
 */
final class BrokerSecurity {

  private static final Logger LOG = Logger.getLogger(BrokerSecurity.class.getName());

  private final SecurityConfig config;
  private final OriginPolicy origins;
  private final BrokerAuthenticator authenticator;
  private final Acl acl;
  private final List<EnhancedAuthenticator> enhanced;

  private BrokerSecurity(SecurityConfig config) {
    this.config = config;
    this.origins = OriginPolicy.parse(config.allowedOrigins(),
        Setting.WEBSOCKET_ALLOWED_ORIGINS.key());
    this.authenticator = new BrokerAuthenticator(config);
    this.acl = AclParser.load(config);
    List<EnhancedAuthenticator> methods = new ArrayList<>();
    if (!config.scramFile().isEmpty()) {
      methods.add(new ScramSha256Authenticator(
          ScramCredentials.load(Path.of(config.scramFile()), Setting.SCRAM_FILE.key())));
    }
    this.enhanced = List.copyOf(methods);
  }

  /**
   * @return the validated security of this server
   * @throws ConfigException naming the first invalid key (or ACL/SCRAM file line)
   */
  static BrokerSecurity load(ClassLoader loader) {
    Config source = ConfigProvider.getConfig(loader);
    return new BrokerSecurity(SecurityConfig.from(
        key -> source.getOptionalValue(key, String.class)));
  }

  SecurityConfig config() {
    return config;
  }

  BrokerAuthenticator authenticator() {
    return authenticator;
  }

  /** @return which web origins may open a WebSocket, on the listeners and on Liberty's port */
  OriginPolicy origins() {
    return origins;
  }

  /** Installs the authenticator, the ACL and the enhanced authentication methods. */
  MqttBroker.Builder configure(MqttBroker.Builder builder) {
    return builder.authenticator(authenticator).authorizer(acl).enhancedAuthenticators(enhanced);
  }

  /** @return what the listeners hand connections to: the broker, behind the rate limit if set */
  ConnectionAcceptor acceptor(MqttBroker broker) {
    if (config.connectionRate() == 0) {
      return broker;
    }
    return new RateLimitedAcceptor(broker,
        new ConnectionRateLimiter(config.connectionRate(), config.connectionBurst(),
            System::nanoTime),
        Setting.CONNECTION_RATE.key() + "=" + config.connectionRate() + "/s (burst "
            + config.connectionBurst() + ")");
  }

  /**
   * Says at startup what the server lets in; the dev profile is a loud WARNING.
   *
   * @param host the interface the MQTT listeners bind
   */
  void logPosture(String host) {
    if (config.allowsAnonymous()) {
      LOG.warning(() -> "FerryMQ runs the 'dev' security profile (" + Setting.SECURITY_PROFILE
          .key() + "=dev, environment " + Setting.SECURITY_PROFILE.environmentVariable()
          + "): anonymous clients are accepted, plain TCP and WebSocket are served and topics "
          + (acl.allowsByDefault() ? "are allowed unless an ACL rule denies them"
              : "are denied unless an ACL rule allows them")
          + ". Set " + Setting.SECURITY_PROFILE.key() + "=secure for production. "
          + (isLoopback(host) ? "Only this machine can connect (MQTT on " + host + "); to "
              + "accept other machines set MQTT_HOST=* and HTTP_HOST=* (or one interface's "
              + "address)." : "MQTT listens on '" + host + "': other machines can connect "
              + "anonymously."));
    } else {
      LOG.info(() -> "FerryMQ runs the 'secure' security profile: no anonymous clients, TLS "
          + "listeners only, topics " + (acl.allowsByDefault() ? "allowed" : "denied")
          + " unless an ACL rule decides otherwise");
    }
    LOG.info(() -> "FerryMQ security: " + acl.size() + " ACL rules, JWT passwords "
        + (config.jwtEnabled() ? "on" : "off") + ", enhanced authentication "
        + (enhanced.isEmpty() ? "none" : enhanced.get(0).method()) + ", connection rate limit "
        + (config.connectionRate() == 0 ? "off" : config.connectionRate() + "/s per address"));
  }

  private static boolean isLoopback(String host) {
    return host.equals("localhost") || host.startsWith("127.") || host.equals("::1");
  }
}
