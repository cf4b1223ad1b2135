package org.ferrymq.ra;

import com.ibm.websphere.ssl.Constants;
import com.ibm.websphere.ssl.JSSEHelper;
import com.ibm.websphere.ssl.SSLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import java.util.logging.Logger;
import javax.net.ssl.SSLContext;
import org.ferrymq.config.ConfigException;
import org.ferrymq.transport.netty.ServerSslConfig;
import org.ferrymq.transport.netty.TlsSettings;

/**
 * The MQTT TLS listeners' key material and policy from Liberty's SSL configuration (an
 * {@code <ssl>} element and its {@code <keyStore>}s), through Liberty's {@link JSSEHelper}: one
 * configuration serves HTTPS, wss on Liberty's port and MQTT, and a key store Liberty reloads
 * (a renewed certificate, {@code updateTrigger="polled"}) is served to the next MQTT connection
 * without a restart. The protocols and cipher suites are the configuration's; client
 * certificates are requested as {@code mqtt.tls.client-auth} says and verified against its
 * trust store.
 */
final class LibertySsl {
  private static final Logger LOG = Logger.getLogger(LibertySsl.class.getName());
  /** Liberty creates its default key store at the first start, a moment after the adapter. */
  private static final long AVAILABLE_WAIT_MILLIS = 30_000;
  private static final long POLL_MILLIS = 200;
  private static final Map<String, Object> INBOUND = Map.of(
      JSSEHelper.CONNECTION_INFO_DIRECTION, JSSEHelper.DIRECTION_INBOUND);

  private LibertySsl() {
  }

  /**
   * @param alias the {@code <ssl>} element's id, e.g. {@code defaultSSLConfig}
   * @param clientAuth whether client certificates are ignored, requested or required
   * @throws ConfigException naming the SSL configuration when Liberty does not provide it
   */
  static ServerSslConfig load(String alias, TlsSettings.ClientAuth clientAuth) {
    JSSEHelper helper = JSSEHelper.getInstance();
    Properties properties = awaitProperties(helper, alias);
    Supplier<SSLContext> contexts = () -> {
      try {
        return helper.getSSLContext(alias, INBOUND, null);
      } catch (SSLException e) {
        throw new IllegalStateException("Liberty's SSL configuration '" + alias
            + "' is not available: " + e.getMessage(), e);
      }
    };
    // fails the start here, not the first handshake
    contexts.get();
    return new ServerSslConfig(alias, contexts, clientAuth,
        protocols(properties.getProperty(Constants.SSLPROP_PROTOCOL)),
        split(properties.getProperty(Constants.SSLPROP_ENABLED_CIPHERS), "[\\s,]+"));
  }

  /**
   * Liberty publishes the SSL configuration (and writes its default key store on the first
   * start) just after the adapter starts: asks for it every {@value #POLL_MILLIS} ms until
   * it is there.
   */
  private static Properties awaitProperties(JSSEHelper helper, String alias) {
    try {
      return PollingWait.until(() -> Optional.ofNullable(helper.getProperties(alias)),
          POLL_MILLIS, AVAILABLE_WAIT_MILLIS, "ferrymq-ssl-wait");
    } catch (TimeoutException e) {
      if (e.getCause() instanceof SSLException unavailable) {
        throw new ConfigException("mqtts.port", "Liberty's SSL configuration '" + alias
            + "' (server.xml <ssl id=\"" + alias + "\">) is not available for the MQTT TLS "
            + "listeners: " + unavailable.getMessage());
      }
      throw new ConfigException("mqtts.port", "Liberty has no SSL configuration '" + alias
          + "' for the MQTT TLS listeners");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ConfigException("mqtts.port", "interrupted waiting for Liberty's SSL "
          + "configuration '" + alias + "'");
    }
  }

  /**
   * @return the TLS versions the configuration enables that the MQTT listeners allow (1.3,
   *     1.2); a bare {@code TLS} or none means both
   */
  private static List<String> protocols(String configured) {
    List<String> allowed = new ArrayList<>();
    for (String p : split(configured, "[\\s,]+")) {
      String normal = p.replace("TLSV", "TLSv");
      if (TlsSettings.DEFAULT_PROTOCOLS.contains(normal)) {
        allowed.add(normal);
      } else if (!normal.toUpperCase(Locale.ROOT).equals("TLS")) {
        LOG.warning(() -> "The MQTT TLS listeners do not enable " + normal + " named by "
            + "Liberty's SSL configuration; they allow " + TlsSettings.DEFAULT_PROTOCOLS);
      }
    }
    return allowed.isEmpty() ? TlsSettings.DEFAULT_PROTOCOLS : allowed;
  }

  private static List<String> split(String value, String separators) {
    List<String> out = new ArrayList<>();
    if (value != null) {
      for (String part : value.trim().split(separators)) {
        if (!part.isBlank()) {
          out.add(part.trim());
        }
      }
    }
    return out;
  }
}
