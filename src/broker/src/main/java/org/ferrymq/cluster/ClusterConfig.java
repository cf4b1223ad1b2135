package org.ferrymq.cluster;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import org.ferrymq.config.ConfigException;

/**
 * The cluster settings ({@code mqtt.cluster.*}), read through the same key lookup as the engine's
 * (MicroProfile Config on Liberty: server.xml variables, environment, system properties) and
 * validated: an invalid value is a {@link ConfigException} naming its key. Loading this record
 * loads no Hazelcast class, so a broker with clustering off (the default) never does.
 *
 * @param enabled whether this broker joins a cluster ({@code mqtt.cluster.enabled})
 * @param name the cluster's name; members of other clusters are not joined
 * @param host the interface the member binds and announces, empty for Hazelcast's choice
 * @param port the member's TCP port, fixed (no auto-increment)
 * @param members the other members to contact, {@code host:port}, from the TCP/IP member list
 * @param secret the shared secret every member must prove it knows to join
 * @param backupCount synchronous backups of each cluster-wide retained message
 * @param forwardTimeoutSeconds how long a connected subscriber on this node may hold back a
 *     forwarded QoS 1/2 message (its backlog full) before it is disconnected as a stuck one,
 *     which admits the message; its origin is then told it was taken
 * @param handoverTimeoutSeconds how long a CONNECT waits for the node holding its session to
 *     hand it over before it is refused with Server unavailable
 * @param handoverGraceSeconds how long a node that handed a session over forwards what is
 *     still routed to the session there to its new node, and how long the new node parks such
 *     messages and keeps the session from taking a QoS 2 message twice
 * @param minMembers the members a side of a split cluster needs to change cluster-wide state
 *     (split-brain protection); 1 turns the protection off
 * @param reconcileSeconds how often this node compares the subscription directory with what
 *     its index mirrors of the peers' filters, and repairs what an event never brought
 */
public record ClusterConfig(boolean enabled, String name, String host, int port,
    List<String> members, String secret, int backupCount, int forwardTimeoutSeconds,
    int handoverTimeoutSeconds, int handoverGraceSeconds, int minMembers,
    int reconcileSeconds) {

  /** Shortest secret accepted: 16 characters of a random string carry enough entropy. */
  static final int MIN_SECRET_LENGTH = 16;

  /** A cluster setting: its key, default and meaning (documented in docs/cluster.md). */
  public enum Key {
    ENABLED("mqtt.cluster.enabled", "false"),
    NAME("mqtt.cluster.name", "ferrymq"),
    HOST("mqtt.cluster.host", ""),
    PORT("mqtt.cluster.port", "5701"),
    MEMBERS("mqtt.cluster.members", ""),
    SECRET("mqtt.cluster.secret", ""),
    BACKUP_COUNT("mqtt.cluster.backup-count", "1"),
    FORWARD_TIMEOUT("mqtt.cluster.forward-timeout", "60"),
    HANDOVER_TIMEOUT("mqtt.cluster.handover-timeout", "10"),
    HANDOVER_GRACE("mqtt.cluster.handover-grace", "10"),
    /** Empty: a majority of the configured member list. */
    MIN_MEMBERS("mqtt.cluster.min-members", ""),
    RECONCILE_INTERVAL("mqtt.cluster.reconcile-interval", "5");

    private final String key;
    private final String defaultValue;

    Key(String key, String defaultValue) {
      this.key = key;
      this.defaultValue = defaultValue;
    }

    public String key() {
      return key;
    }

    public String defaultValue() {
      return defaultValue;
    }
  }

  public ClusterConfig {
    members = List.copyOf(members);
  }

  /** @return clustering off */
  public static ClusterConfig disabled() {
    return from(key -> Optional.empty());
  }

  /**
   * Reads and validates every {@link Key}; with clustering off only {@code mqtt.cluster.enabled}
   * is validated, the others are taken as given.
   *
   * @param lookup returns the configured value for a key, empty for the default
   * @throws ConfigException naming the first invalid key
   */
  public static ClusterConfig from(Function<String, Optional<String>> lookup) {
    Function<Key, String> raw = k -> lookup.apply(k.key()).map(String::trim)
        .filter(v -> !v.isEmpty()).orElse(k.defaultValue());
    boolean enabled = switch (raw.apply(Key.ENABLED).toLowerCase(Locale.ROOT)) {
      case "true" -> true;
      case "false" -> false;
      default -> throw new ConfigException(Key.ENABLED.key(), "'" + raw.apply(Key.ENABLED)
          + "' is not true or false");
    };
    if (!enabled) {
      return new ClusterConfig(false, Key.NAME.defaultValue(), "", 5701, List.of(), "", 1, 60,
          10, 10, 1, 5);
    }
    String name = raw.apply(Key.NAME);
    if (!name.matches("[A-Za-z0-9._-]{1,64}")) {
      throw new ConfigException(Key.NAME.key(), "'" + name
          + "' is not 1 to 64 letters, digits, '.', '_' or '-'");
    }
    int port = (int) whole(Key.PORT, raw.apply(Key.PORT), 1, 65_535);
    List<String> members = new ArrayList<>();
    for (String m : raw.apply(Key.MEMBERS).split(",")) {
      if (!m.isBlank()) {
        members.add(member(m.trim()));
      }
    }
    String secret = raw.apply(Key.SECRET);
    if (secret.length() < MIN_SECRET_LENGTH) {
      throw new ConfigException(Key.SECRET.key(), "a cluster needs a shared secret of at least "
          + MIN_SECRET_LENGTH + " characters, so that a stranger cannot join");
    }
    String minMembers = raw.apply(Key.MIN_MEMBERS);
    return new ClusterConfig(true, name, raw.apply(Key.HOST), port, members, secret,
        (int) whole(Key.BACKUP_COUNT, raw.apply(Key.BACKUP_COUNT), 0, 6),
        (int) whole(Key.FORWARD_TIMEOUT, raw.apply(Key.FORWARD_TIMEOUT), 1, 3600),
        (int) whole(Key.HANDOVER_TIMEOUT, raw.apply(Key.HANDOVER_TIMEOUT), 1, 300),
        (int) whole(Key.HANDOVER_GRACE, raw.apply(Key.HANDOVER_GRACE), 1, 300),
        minMembers.isEmpty() ? majorityOf(members.size())
            : (int) whole(Key.MIN_MEMBERS, minMembers, 1, 1000),
        (int) whole(Key.RECONCILE_INTERVAL, raw.apply(Key.RECONCILE_INTERVAL), 1, 3600));
  }

  /**
   * The default split-brain protection: more than half of the member list, which should name
   * every member, this one included. A list of other members only (this one left out) gives
   * the same figure for an odd cluster size and one less than a strict majority for an even
   * size; docs/cluster.md asks for the full list.
   */
  static int majorityOf(int listedMembers) {
    return listedMembers / 2 + 1;
  }

  /** @return whether a side of a split cluster below {@link #minMembers} stops cluster writes */
  public boolean splitBrainProtected() {
    return minMembers > 1;
  }

  /** @return {@code host:port}, validated */
  private static String member(String value) {
    int colon = value.lastIndexOf(':');
    if (colon <= 0 || colon == value.length() - 1) {
      throw new ConfigException(Key.MEMBERS.key(), "'" + value + "' is not host:port");
    }
    String port = value.substring(colon + 1);
    whole(Key.MEMBERS, port, 1, 65_535);
    return value;
  }

  private static long whole(Key key, String value, long min, long max) {
    long parsed;
    try {
      parsed = Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw new ConfigException(key.key(), "'" + value + "' is not a whole number");
    }
    if (parsed < min || parsed > max) {
      throw new ConfigException(key.key(), parsed + " is outside " + min + ".." + max);
    }
    return parsed;
  }

  /** The secret never appears in logs or error messages. */
  @Override
  public String toString() {
    return "ClusterConfig[enabled=" + enabled + ", name=" + name + ", host=" + host + ", port="
        + port + ", members=" + members + ", backupCount=" + backupCount + ", minMembers="
        + minMembers + ", reconcileSeconds=" + reconcileSeconds + "]";
  }
}
