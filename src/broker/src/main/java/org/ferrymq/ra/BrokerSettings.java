package org.ferrymq.ra;

import java.util.Optional;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;
import org.ferrymq.config.BrokerConfig;
import org.ferrymq.config.ConfigException;

/**
 * Reads every {@link org.ferrymq.config.Setting} through MicroProfile Config, as seen from the
 * resource adapter's class loader: system properties, environment variables ({@code
 * MQTT_MAX_PACKET_SIZE} for {@code mqtt.max-packet-size}) and the server.xml variables.
 */
final class BrokerSettings {

  private BrokerSettings() {
  }

  /**
   * @return the validated engine configuration
   * @throws ConfigException naming the first invalid key
   */
  static BrokerConfig load(ClassLoader loader) {
    Config config = ConfigProvider.getConfig(loader);
    return BrokerConfig.from(key -> lookup(config, key));
  }

  private static Optional<String> lookup(Config config, String key) {
    return config.getOptionalValue(key, String.class);
  }
}
