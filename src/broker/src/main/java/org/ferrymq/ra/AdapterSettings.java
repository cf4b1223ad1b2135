package org.ferrymq.ra;

import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.ferrymq.config.ConfigException;
import org.ferrymq.transport.netty.TlsSettings;

/**
 * The resource adapter's own config properties (server.xml {@code <properties.ferrymq>}),
 * validated: where the MQTT listeners bind, which Liberty SSL configuration they use, Netty's
 * event loops and client certificates. The engine's settings come from MicroProfile Config
 * instead ({@link BrokerSettings}); like those, an invalid value is a {@link ConfigException}
 * naming the key of the server.xml variable that sets it, here with the adapter property too.
 *
 * <p>Immutable; every instance holds valid values, whether built from the raw strings
 * ({@link #builder()}) or directly.
 *
 * @param host interface the listeners bind, {@code *} for all ({@code host}, mqtt.host)
 * @param tcpPort plain MQTT over TCP ({@code mqttPort}, mqtt.port)
 * @param tlsPort MQTT over TLS ({@code mqttsPort}, mqtts.port)
 * @param wsPort MQTT over WebSocket, 0 for none ({@code wsPort}, mqtt.ws.port)
 * @param wssPort MQTT over secure WebSocket, 0 for none ({@code wssPort}, mqtt.wss.port)
 * @param sslRef the Liberty {@code <ssl>} element the TLS and wss listeners use
 * @param ioThreads Netty event loops, 0 for the default ({@code ioThreads}, ferrymq.io-threads)
 * @param clientAuth client certificates on the TLS listeners ({@code clientAuth},
 *     mqtt.tls.client-auth)
 */
record AdapterSettings(String host, int tcpPort, int tlsPort, int wsPort, int wssPort,
    String sslRef, int ioThreads, TlsSettings.ClientAuth clientAuth) {

  static final int MAX_IO_THREADS = 1024;

  /** An adapter property, the server.xml variable that sets it and its default. */
  enum Property {
    HOST("host", "mqtt.host", "localhost"),
    MQTT_PORT("mqttPort", "mqtt.port", "1883"),
    MQTTS_PORT("mqttsPort", "mqtts.port", "8883"),
    WS_PORT("wsPort", "mqtt.ws.port", "8083"),
    WSS_PORT("wssPort", "mqtt.wss.port", "8084"),
    SSL_REF("sslRef", "sslRef", "defaultSSLConfig"),
    IO_THREADS("ioThreads", "ferrymq.io-threads", "0"),
    CLIENT_AUTH("clientAuth", "mqtt.tls.client-auth", "none");

    private final String property;
    private final String key;
    private final String defaultValue;

    Property(String property, String key, String defaultValue) {
      this.property = property;
      this.key = key;
      this.defaultValue = defaultValue;
    }

    ConfigException invalid(String problem) {
      return new ConfigException(key, problem + " (resource adapter property " + property + ")");
    }

    int whole(String value) {
      try {
        return Integer.parseInt(value == null ? "" : value.trim());
      } catch (NumberFormatException e) {
        throw invalid("'" + value + "' is not a whole number");
      }
    }

    void requirePort(int port, boolean zeroSwitchesOff) {
      if (port < (zeroSwitchesOff ? 0 : 1) || port > 65_535) {
        throw invalid(port + " is not a port number (1..65535"
            + (zeroSwitchesOff ? ", or 0 for none)" : ")"));
      }
    }

    String requireText(String value) {
      if (value == null || value.isBlank()) {
        throw invalid("is empty");
      }
      return value.trim();
    }
  }

  AdapterSettings {
    host = Property.HOST.requireText(host);
    Property.MQTT_PORT.requirePort(tcpPort, false);
    Property.MQTTS_PORT.requirePort(tlsPort, false);
    Property.WS_PORT.requirePort(wsPort, true);
    Property.WSS_PORT.requirePort(wssPort, true);
    sslRef = Property.SSL_REF.requireText(sslRef);
    if (ioThreads < 0 || ioThreads > MAX_IO_THREADS) {
      throw Property.IO_THREADS.invalid(ioThreads + " is outside 0.." + MAX_IO_THREADS);
    }
    Objects.requireNonNull(clientAuth, "clientAuth");
  }

  /** @return a builder with the defaults of the adapter's {@code @ConfigProperty} fields */
  static Builder builder() {
    return new Builder();
  }

  /** Collects the raw property strings as Liberty sets them; {@link #build()} validates. */
  static final class Builder {
    private final Map<Property, String> raw = new EnumMap<>(Property.class);

    private Builder() {
      for (Property p : Property.values()) {
        raw.put(p, p.defaultValue);
      }
    }

    /** @param value the raw string, as the container set it (may be null) */
    Builder set(Property property, String value) {
      raw.put(property, value);
      return this;
    }

    /** @throws ConfigException naming the key and property of the first invalid value */
    AdapterSettings build() {
      return new AdapterSettings(raw.get(Property.HOST), whole(Property.MQTT_PORT),
          whole(Property.MQTTS_PORT), whole(Property.WS_PORT), whole(Property.WSS_PORT),
          raw.get(Property.SSL_REF), whole(Property.IO_THREADS),
          parseClientAuth(raw.get(Property.CLIENT_AUTH)));
    }

    private int whole(Property property) {
      return property.whole(raw.get(property));
    }

    private static TlsSettings.ClientAuth parseClientAuth(String value) {
      String mode = value == null ? "none" : value.trim();
      return switch (mode.toLowerCase(Locale.ROOT)) {
        case "", "none" -> TlsSettings.ClientAuth.NONE;
        case "want" -> TlsSettings.ClientAuth.WANT;
        case "need" -> TlsSettings.ClientAuth.NEED;
        default -> throw Property.CLIENT_AUTH.invalid("'" + mode
            + "' is not one of none, want, need");
      };
    }
  }
}
