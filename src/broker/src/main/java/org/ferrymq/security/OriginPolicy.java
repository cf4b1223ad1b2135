package org.ferrymq.security;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Logger;
import org.ferrymq.config.ConfigException;

/**
 * Which web pages may open an MQTT WebSocket (the {@code Origin} header of the upgrade, RFC 6455
 * 10.2). A browser sends the page's origin with every WebSocket it opens, and sends the user's
 * client certificate and cookies along whatever page asked; without a check any site the user
 * visits could drive the broker with the user's credentials. Clients that are not browsers send
 * no Origin and are not affected.
 *
 * <p>Allowed: no Origin at all; an origin on the same host as the request's {@code Host} header
 * (any port: the dashboard on Liberty's HTTP ports and the listeners on the broker's own ports
 * are one site); an origin listed in {@code mqtt.websocket.allowed-origins}; any origin when
 * that list holds {@code *}. Everything else, the opaque origin {@code null} included, is
 * refused (HTTP 403), counted, and logged once per origin.
 *
 * <p>Thread-safe: the listeners' event loops and Liberty's threads ask at the same time.
 */
public final class OriginPolicy {
  private static final Logger LOG = Logger.getLogger(OriginPolicy.class.getName());
  /** Distinct refused origins logged; past it they are only counted. */
  private static final int LOGGED_ORIGINS = 100;

  private final boolean anyOrigin;
  private final Set<String> allowed;
  private final LongAdder refusals = new LongAdder();
  private final Set<String> logged = ConcurrentHashMap.newKeySet();

  private OriginPolicy(boolean anyOrigin, Set<String> allowed) {
    this.anyOrigin = anyOrigin;
    this.allowed = Set.copyOf(allowed);
  }

  /** @return the default: same host only */
  public static OriginPolicy sameHostOnly() {
    return new OriginPolicy(false, Set.of());
  }

  /**
   * @param list comma-separated origins ({@code https://app.example.com},
   *     {@code http://localhost:3000}) or {@code *}; empty for the same host only
   * @param key the setting's name, for the error
   * @throws ConfigException naming the setting and the entry that is not an origin
   */
  public static OriginPolicy parse(String list, String key) {
    boolean any = false;
    Set<String> origins = new LinkedHashSet<>();
    for (String entry : list.split(",")) {
      String e = entry.trim();
      if (e.isEmpty()) {
        continue;
      }
      if (e.equals("*")) {
        any = true;
        continue;
      }
      String normal = normalize(e);
      if (normal == null) {
        throw new ConfigException(key, "'" + e + "' is not an origin: expected "
            + "scheme://host[:port] with scheme http or https (no path), or *");
      }
      origins.add(normal);
    }
    return new OriginPolicy(any, origins);
  }

  /**
   * Decides an upgrade request; a refusal is counted and logged.
   *
   * @param origin the {@code Origin} header, null when absent
   * @param host the {@code Host} header, null when absent
   * @return whether the WebSocket may be opened
   */
  public boolean allows(String origin, String host) {
    if (origin == null || anyOrigin) {
      return true;
    }
    String normal = normalize(origin.trim());
    if (normal != null && (allowed.contains(normal) || sameHost(normal, host))) {
      return true;
    }
    refusals.increment();
    if (logged.size() < LOGGED_ORIGINS && logged.add(origin)) {
      LOG.warning(() -> "Refused a WebSocket from a page of origin '" + origin + "' (Host "
          + host + "): not the broker's own host and not in mqtt.websocket.allowed-origins");
    }
    return false;
  }

  /** @return WebSocket upgrades refused for their origin since start */
  public long refusals() {
    return refusals.sum();
  }

  /** @return {@code scheme://host[:port]} in lower case without a default port, or null */
  private static String normalize(String origin) {
    URI uri;
    try {
      uri = new URI(origin);
    } catch (URISyntaxException e) {
      return null;
    }
    String scheme = uri.getScheme() == null ? null : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!"http".equals(scheme) && !"https".equals(scheme) || uri.getHost() == null
        || uri.getRawUserInfo() != null || uri.getRawQuery() != null
        || uri.getRawFragment() != null
        || uri.getRawPath() != null && !uri.getRawPath().isEmpty()) {
      return null;
    }
    int port = uri.getPort();
    boolean defaultPort = port == -1 || scheme.equals("http") && port == 80
        || scheme.equals("https") && port == 443;
    return scheme + "://" + uri.getHost().toLowerCase(Locale.ROOT)
        + (defaultPort ? "" : ":" + port);
  }

  private static boolean sameHost(String normalOrigin, String hostHeader) {
    if (hostHeader == null || hostHeader.isBlank()) {
      return false;
    }
    String originHost = URI.create(normalOrigin).getHost();
    return originHost.equals(hostOf(hostHeader.trim().toLowerCase(Locale.ROOT)));
  }

  /** @return the host of a Host header: {@code name[:port]} or {@code [v6][:port]} */
  private static String hostOf(String header) {
    if (header.startsWith("[")) {
      int end = header.indexOf(']');
      return end < 0 ? header : header.substring(0, end + 1);
    }
    int colon = header.lastIndexOf(':');
    return colon < 0 ? header : header.substring(0, colon);
  }
}
