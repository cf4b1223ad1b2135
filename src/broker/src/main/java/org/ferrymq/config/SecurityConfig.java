package org.ferrymq.config;

import java.util.Optional;
import java.util.function.Function;

/**
 * Validated security settings of the engine (keys in {@link Setting}). Liberty-level security
 * (the user registry, key and trust stores, MicroProfile JWT verification) is configured in
 * server.xml; see docs/security.md.
 *
 * @param profile dev or secure
 * @param aclFile the ACL file path, empty for none
 * @param aclRules inline ACL lines separated by ';', empty for none
 * @param aclAllowsByDefault what topics no rule decides get, resolved from mqtt.acl.default and
 *     the profile
 * @param identityAttribute the certificate subject attribute used as the user name
 * @param jwtEnabled whether JWT passwords are validated
 * @param jwtDisconnectOnExpiry whether JWT clients are disconnected when the token expires
 * @param connectionRate connections per second per source address, 0 for no limit
 * @param connectionBurst connections per source address allowed at once
 * @param scramFile the SCRAM-SHA-256 credential file, empty to disable the method
 * @param allowedOrigins the web origins allowed to open a WebSocket besides the broker's own
 *     host, as configured (validated by {@code OriginPolicy})
 */
public record SecurityConfig(SecurityProfile profile, String aclFile, String aclRules,
    boolean aclAllowsByDefault, String identityAttribute, boolean jwtEnabled,
    boolean jwtDisconnectOnExpiry, int connectionRate, int connectionBurst, String scramFile,
    String allowedOrigins) {

  /** @return every security setting at its default (the dev profile) */
  public static SecurityConfig defaults() {
    return from(key -> Optional.empty());
  }

  /**
   * Reads and validates the security settings through {@code lookup}.
   *
   * @param lookup returns the configured value for a key, empty for the default
   * @throws ConfigException naming the first invalid key
   */
  public static SecurityConfig from(Function<String, Optional<String>> lookup) {
    BrokerConfig.Reader r = new BrokerConfig.Reader(lookup);
    SecurityProfile profile = r.choice(Setting.SECURITY_PROFILE, SecurityProfile.class);
    AclDefault aclDefault = r.choice(Setting.ACL_DEFAULT, AclDefault.class);
    String attribute = r.raw(Setting.TLS_IDENTITY_ATTRIBUTE);
    if (!attribute.matches("[A-Za-z][A-Za-z0-9.]*")) {
      throw new ConfigException(Setting.TLS_IDENTITY_ATTRIBUTE.key(),
          "'" + attribute + "' is not an attribute name such as CN or UID");
    }
    return new SecurityConfig(profile,
        r.raw(Setting.ACL_FILE),
        r.raw(Setting.ACL_RULES),
        aclDefault == AclDefault.PROFILE ? profile == SecurityProfile.DEV
            : aclDefault == AclDefault.ALLOW,
        attribute,
        r.bool(Setting.JWT_ENABLED),
        r.bool(Setting.JWT_DISCONNECT_ON_EXPIRY),
        (int) r.integer(Setting.CONNECTION_RATE, 0, 100_000),
        (int) r.integer(Setting.CONNECTION_BURST, 1, 100_000),
        r.raw(Setting.SCRAM_FILE),
        r.raw(Setting.WEBSOCKET_ALLOWED_ORIGINS));
  }

  /** @return whether clients without credentials are accepted */
  public boolean allowsAnonymous() {
    return profile == SecurityProfile.DEV;
  }

  /** @return whether plain TCP and WebSocket connections are refused */
  public boolean requiresTls() {
    return profile == SecurityProfile.SECURE;
  }
}
