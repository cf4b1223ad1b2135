package org.ferrymq.config;

/**
 * Every engine setting: its configuration key, default and meaning. The Liberty layer reads each
 * key through MicroProfile Config (so {@code MQTT_MAX_PACKET_SIZE} in the environment overrides
 * {@code mqtt.max-packet-size}); unit tests use {@link BrokerConfig#defaults()}.
 */
public enum Setting {
  MAX_PACKET_SIZE("mqtt.max-packet-size", "1048576",
      "Largest packet in bytes the broker accepts (1..268435460); larger ones close the "
          + "connection with reason 0x95."),
  RECEIVE_MAXIMUM("mqtt.receive-maximum", "100",
      "QoS 1/2 PUBLISH packets a client may have unacknowledged towards the broker (1..65535)."),
  MAX_INFLIGHT("mqtt.max-inflight", "100",
      "Upper bound on unacknowledged QoS 1/2 deliveries to one client, whatever its own "
          + "Receive Maximum says (1..65535)."),
  TOPIC_ALIAS_MAXIMUM("mqtt.topic-alias-maximum", "32",
      "Topic aliases accepted from and sent to each MQTT 5 client (0 disables, max 65535)."),
  MAX_KEEP_ALIVE("mqtt.max-keep-alive", "65535",
      "Largest keep-alive in seconds a client may use; larger requests (and 0) are reduced "
          + "through Server Keep Alive for MQTT 5 clients (1..65535)."),
  MAX_SESSION_EXPIRY("mqtt.max-session-expiry", "604800",
      "Cap in seconds on the Session Expiry Interval a client asks for (MQTT 5 clients are told "
          + "the value used in CONNACK) and on MQTT 3 persistent sessions. The default, 7 days, "
          + "outlasts a weekend outage yet lets abandoned sessions go; 4294967295 means sessions "
          + "may never expire (0..4294967295)."),
  V3_SESSION_EXPIRY("mqtt.v3-session-expiry", "604800",
      "Seconds an MQTT 3 persistent session (clean session 0) survives after disconnect, at "
          + "most mqtt.max-session-expiry (0..4294967295)."),
  MAX_SESSIONS("mqtt.max-sessions", "1000000",
      "Sessions kept at once, connected or not; a CONNECT that would create one more gets "
          + "CONNACK 0x97 Quota exceeded (MQTT 3: return code 3). A client resuming or replacing "
          + "its own session is never refused (1..2147483647)."),
  MAX_PERSISTENT_SESSIONS("mqtt.max-persistent-sessions", "100000",
      "Sessions with a non-zero expiry (MQTT 5 Session Expiry Interval, MQTT 3 clean session 0) "
          + "kept at once; further ones are refused like mqtt.max-sessions. An expired session "
          + "frees its place (1..mqtt.max-sessions)."),
  MAX_SUBSCRIPTIONS_PER_CLIENT("mqtt.max-subscriptions-per-client", "10000",
      "Subscriptions one session may hold; a SUBSCRIBE past it gets reason 0x97 Quota "
          + "exceeded (MQTT 3: 0x80 failure) for the excess filters, the others are kept "
          + "(1..2147483647)."),
  RETAINED_MAX_MESSAGES("mqtt.retained.max-messages", "1000000",
      "Retained messages kept across the broker. A retained PUBLISH for a new topic past it "
          + "is delivered but not retained (MQTT 5 QoS 1/2: PUBACK/PUBREC 0x97); replacing or "
          + "deleting a retained message is never refused (1..2147483647)."),
  RETAINED_MAX_BYTES("mqtt.retained.max-bytes", "268435456",
      "Bytes (payload, topic and properties) of the retained messages kept across the broker, "
          + "with the same meaning (1..9223372036854775807)."),
  MAX_QUEUED_MESSAGES("mqtt.queue.max-messages", "1000",
      "Messages queued per session. For a connected client it is a high-water mark: past it, "
          + "QoS 0 messages for the client are dropped (counted) and the PUBACK/PUBREC of the "
          + "publishers feeding it wait until it has drained to half, so QoS 1/2 is never "
          + "dropped; for an offline session it is the bound of the full policy (1..10000000)."),
  MAX_QUEUED_BYTES("mqtt.queue.max-bytes", "16777216",
      "Bytes queued per session (payload, topic and stored properties such as user "
          + "properties), with the same meaning."),
  QUEUE_FULL_POLICY("mqtt.queue.full-policy", "drop-oldest",
      "What happens when an offline session's queue is full: drop-oldest or reject-new "
          + "(counted as offline_queue_full, logged once per time it fills)."),
  MAXIMUM_QOS("mqtt.maximum-qos", "2", "Highest QoS the broker grants and accepts (0, 1 or 2)."),
  RETAIN_AVAILABLE("mqtt.retain-available", "true", "Whether retained messages are supported."),
  WILDCARD_SUBSCRIPTIONS("mqtt.wildcard-subscriptions", "true",
      "Whether subscriptions with + and # are accepted."),
  SHARED_SUBSCRIPTIONS("mqtt.shared-subscriptions", "true",
      "Whether $share/group/filter subscriptions are accepted."),
  SUBSCRIPTION_IDENTIFIERS("mqtt.subscription-identifiers", "true",
      "Whether MQTT 5 subscription identifiers are accepted."),
  SHARED_STRATEGY("mqtt.shared-subscriptions.strategy", "round-robin",
      "How a shared group picks its member: round-robin or least-loaded."),
  MAX_TOPIC_LEVELS("mqtt.max-topic-levels", "64",
      "Most levels a topic name or filter may have (1..1024)."),
  MAX_TOPIC_LENGTH("mqtt.max-topic-length", "65535",
      "Longest topic name or filter in UTF-8 bytes (1..65535)."),
  MAX_CLIENT_ID_LENGTH("mqtt.max-client-id-length", "256",
      "Longest client identifier accepted (23..65535)."),
  CONNECT_TIMEOUT("mqtt.connect-timeout", "10",
      "Seconds a new connection has to be accepted by CONNACK (CONNECT plus any enhanced "
          + "authentication exchange) before it is closed; on the adapter's TLS, ws and wss "
          + "listeners the TLS handshake or WebSocket upgrade gets the same time first "
          + "(1..3600)."),
  MIN_PACKET_RATE("mqtt.min-packet-rate", "256",
      "Bytes per second a packet must average once it has taken longer than "
          + "mqtt.connect-timeout to arrive; a connected client sending slower is closed "
          + "(MQTT 5: DISCONNECT 0x8D). 0 disables the check (0..1000000000)."),
  MAX_CONNECTIONS("mqtt.max-connections", "1000000",
      "Connections accepted at once; further CONNECTs get Server unavailable / busy."),
  LANES("mqtt.lanes", "0",
      "Threads that run session work; 0 means twice the number of processors."),
  SYS_INTERVAL("mqtt.sys-interval", "10",
      "Seconds between $SYS/broker updates; 0 disables them."),
  SLOW_SUBSCRIBER_TIMEOUT("mqtt.slow-subscriber-timeout", "30",
      "Seconds a connected client may take no message from its backlog, or not read its "
          + "socket, before it is disconnected (MQTT 5: 0x97); until then the publishers that "
          + "feed it are slowed (1..86400)."),
  OVERLOAD_HEAP_HIGH("mqtt.overload.heap-high-percent", "90",
      "Heap still in use after garbage collection, in percent of the maximum, above which the "
          + "broker is overloaded: new connections are refused (server busy) and QoS 0 messages "
          + "for clients that cannot take them at once are dropped (50..99)."),
  OVERLOAD_HEAP_LOW("mqtt.overload.heap-low-percent", "75",
      "Heap in use after garbage collection, in percent, below which an overloaded broker "
          + "recovers (10..98, below the high percent)."),
  AUTH_THREADS("mqtt.auth.threads", "8",
      "Threads that check credentials (user registry, LDAP, JWT and its key fetch) off the "
          + "session lanes, so a slow lookup delays only the logins waiting for it (1..256)."),
  AUTH_QUEUE("mqtt.auth.queue", "1000",
      "Credential checks that may wait for one of those threads; a CONNECT beyond them is "
          + "refused with 0x89 Server busy (MQTT 3: return code 3) (1..1000000)."),
  AUTH_THROTTLE_FAILURES("mqtt.auth.throttle.failures", "5",
      "Failed logins allowed per source address (IPv6: per /64) and per user name within "
          + "mqtt.auth.throttle.window; then attempts are refused unchecked (MQTT 5: 0x9F, "
          + "MQTT 3: return code 5) for a back-off of 1 s that doubles with each further "
          + "episode; 0 disables throttling (0..1000000)."),
  AUTH_THROTTLE_WINDOW("mqtt.auth.throttle.window", "60",
      "Seconds over which failed logins are counted; each window without a failure lowers the "
          + "back-off one step (1..86400)."),
  AUTH_THROTTLE_MAX_BACKOFF("mqtt.auth.throttle.max-backoff", "300",
      "Longest back-off in seconds: no address or user is ever refused for longer at a time "
          + "(1..86400)."),
  AUTH_THROTTLE_MAX_TRACKED("mqtt.auth.throttle.max-tracked", "100000",
      "Source addresses, and separately user names, with recent failures remembered; past it "
          + "idle entries are forgotten first, then entries not refusing anything now "
          + "(1000..10000000)."),
  SECURITY_PROFILE("mqtt.security.profile", "dev",
      "dev: anonymous clients allowed, every listener served, topics allowed unless an ACL rule "
          + "denies (logged as a WARNING at startup); secure: no anonymous clients, TLS "
          + "listeners only, topics denied unless an ACL rule allows."),
  ACL_FILE("mqtt.acl.file", "",
      "Path of the topic ACL file (docs/security.md); empty for none."),
  ACL_RULES("mqtt.acl.rules", "",
      "ACL lines given inline, separated by ';' (read after mqtt.acl.file)."),
  ACL_DEFAULT("mqtt.acl.default", "profile",
      "What happens to a topic no ACL rule decides: allow, deny, or profile (allow in dev, "
          + "deny in secure)."),
  TLS_IDENTITY_ATTRIBUTE("mqtt.tls.identity-attribute", "CN",
      "Subject attribute of a verified client certificate that becomes the MQTT user name "
          + "(CN, UID, OU, O, EMAILADDRESS...)."),
  JWT_ENABLED("mqtt.jwt.enabled", "false",
      "Whether a JSON Web Token given as the MQTT password is validated, by Liberty's JWT "
          + "consumer (mqtt.jwt.jwks-url and the other mqtt.jwt.* variables of server.xml)."),
  JWT_DISCONNECT_ON_EXPIRY("mqtt.jwt.disconnect-on-expiry", "true",
      "Whether a client authenticated by a JWT is disconnected (MQTT 5: DISCONNECT 0x87) when "
          + "the token expires."),
  CONNECTION_RATE("mqtt.limits.connection-rate", "0",
      "New connections per second accepted from one source address (token bucket); 0 "
          + "disables the limit."),
  CONNECTION_BURST("mqtt.limits.connection-burst", "20",
      "Connections one source address may open at once before mqtt.limits.connection-rate "
          + "applies (1..100000)."),
  WEBSOCKET_ALLOWED_ORIGINS("mqtt.websocket.allowed-origins", "",
      "Web page origins (scheme://host[:port], comma-separated, or *) that may open an MQTT "
          + "WebSocket besides pages of the broker's own host; clients that send no Origin are "
          + "not affected."),
  SCRAM_FILE("mqtt.scram.file", "",
      "SCRAM-SHA-256 credential file for MQTT 5 enhanced authentication, written by "
          + "org.ferrymq.security.scram.ScramTool; empty disables the method.");

  private final String key;
  private final String defaultValue;
  private final String description;

  Setting(String key, String defaultValue, String description) {
    this.key = key;
    this.defaultValue = defaultValue;
    this.description = description;
  }

  public String key() {
    return key;
  }

  public String defaultValue() {
    return defaultValue;
  }

  public String description() {
    return description;
  }

  /** @return the environment variable that overrides the key under MicroProfile Config rules */
  public String environmentVariable() {
    return key.replaceAll("[^A-Za-z0-9]", "_").toUpperCase(java.util.Locale.ROOT);
  }
}
