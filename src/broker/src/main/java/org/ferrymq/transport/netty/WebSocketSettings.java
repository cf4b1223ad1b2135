package org.ferrymq.transport.netty;

import java.util.function.BiPredicate;

/**
 * MQTT over WebSocket on a Netty listener (MQTT 5.0 section 6, MQTT 3.1.1 section 6).
 *
 * @param path the request path that upgrades, e.g. {@code /mqtt}; other paths get 404
 * @param maxFrameBytes the largest WebSocket frame payload accepted; a larger frame closes the
 *     connection with status 1009. Clients commonly send one MQTT packet per frame, so this should
 *     be at least the broker's maximum packet size.
 * @param originCheck decides an upgrade from its {@code Origin} and {@code Host} headers (either
 *     null when absent); a refused one gets HTTP 403
 */
public record WebSocketSettings(String path, int maxFrameBytes,
    BiPredicate<String, String> originCheck) {

  /** Lets every origin open a WebSocket, for tests and embedding without browsers. */
  public static final BiPredicate<String, String> ANY_ORIGIN = (origin, host) -> true;

  /** The path MQTT clients use by default. */
  public static final String DEFAULT_PATH = "/mqtt";

  private static final int PACKING_ROOM = 64 * 1024;

  public WebSocketSettings {
    if (path == null || !path.startsWith("/")) {
      throw new IllegalArgumentException("WebSocket path must start with '/', was " + path);
    }
    if (maxFrameBytes < 1) {
      throw new IllegalArgumentException("maxFrameBytes must be positive, was " + maxFrameBytes);
    }
    java.util.Objects.requireNonNull(originCheck, "originCheck");
  }

  /** Settings for {@code path} that let every origin in. */
  public WebSocketSettings(String path, int maxFrameBytes) {
    this(path, maxFrameBytes, ANY_ORIGIN);
  }

  /** @return these settings with {@code check} deciding which origins may upgrade */
  public WebSocketSettings withOriginCheck(BiPredicate<String, String> check) {
    return new WebSocketSettings(path, maxFrameBytes, check);
  }

  /**
   * @param maxPacketSize the broker's maximum packet size
   * @return settings for {@value #DEFAULT_PATH} with frames up to one packet of the maximum size
   *     plus 64 KiB, room for the small packets a client may pack into the same frame
   */
  public static WebSocketSettings forMaxPacketSize(int maxPacketSize) {
    return new WebSocketSettings(DEFAULT_PATH, (int) Math.min(Integer.MAX_VALUE,
        maxPacketSize + PACKING_ROOM));
  }
}
