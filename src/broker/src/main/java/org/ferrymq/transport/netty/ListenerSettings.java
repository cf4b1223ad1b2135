package org.ferrymq.transport.netty;

import org.ferrymq.transport.TransportKind;

/**
 * Where and how one listener accepts connections.
 *
 * @param host the interface to bind; {@code null}, empty, {@code "*"} or {@code "0.0.0.0"} bind
 *     every interface
 * @param port the TCP port, 0 for an ephemeral one
 * @param tls where the TLS key material and policy come from, {@code null} for plain TCP
 * @param highWaterMark outbound bytes queued per connection above which {@link
 *     org.ferrymq.transport.Transport#isWritable()} turns {@code false}
 * @param lowWaterMark outbound bytes queued per connection below which the connection becomes
 *     writable again and {@link org.ferrymq.transport.InboundHandler#onWritable()} is called
 * @param webSocket how MQTT is carried over WebSocket on this port, {@code null} for MQTT straight
 *     on the byte stream
 */
public record ListenerSettings(String host, int port, TlsSource tls, int highWaterMark,
    int lowWaterMark, WebSocketSettings webSocket) {

  /** Default high-water mark: 256 KiB. */
  public static final int DEFAULT_HIGH_WATER_MARK = 256 * 1024;

  /** Default low-water mark: 128 KiB. */
  public static final int DEFAULT_LOW_WATER_MARK = 128 * 1024;

  /** The IANA port for MQTT over TCP. */
  public static final int MQTT_PORT = 1883;

  /** The IANA port for MQTT over TLS. */
  public static final int MQTT_TLS_PORT = 8883;

  public ListenerSettings {
    if (port < 0 || port > 0xFFFF) {
      throw new IllegalArgumentException("port must be within 0..65535, was " + port);
    }
    if (lowWaterMark <= 0 || highWaterMark < lowWaterMark) {
      throw new IllegalArgumentException("water marks must satisfy 0 < low <= high, were low="
          + lowWaterMark + " high=" + highWaterMark);
    }
    host = isWildcard(host) ? null : host;
  }

  /**
   * @param host the interface to bind, see {@link #host()}
   * @param port the port, 0 for an ephemeral one
   * @return plain TCP settings with default water marks
   */
  public static ListenerSettings tcp(String host, int port) {
    return new ListenerSettings(host, port, null, DEFAULT_HIGH_WATER_MARK, DEFAULT_LOW_WATER_MARK,
        null);
  }

  /**
   * @param host the interface to bind, see {@link #host()}
   * @param port the port, 0 for an ephemeral one
   * @param tls the key material and TLS policy, from key store files or the host's SSL
   *     configuration
   * @return TLS settings with default water marks
   */
  public static ListenerSettings tls(String host, int port, TlsSource tls) {
    if (tls == null) {
      throw new IllegalArgumentException("tls must not be null for a TLS listener");
    }
    return new ListenerSettings(host, port, tls, DEFAULT_HIGH_WATER_MARK, DEFAULT_LOW_WATER_MARK,
        null);
  }

  /**
   * @param low the new low-water mark in bytes
   * @param high the new high-water mark in bytes
   * @return a copy with other water marks
   */
  public ListenerSettings withWaterMarks(int low, int high) {
    return new ListenerSettings(host, port, tls, high, low, webSocket);
  }

  /**
   * @param value where and how MQTT travels over WebSocket on this listener
   * @return a copy that serves MQTT over WebSocket (ws, or wss when TLS is set)
   */
  public ListenerSettings withWebSocket(WebSocketSettings value) {
    if (value == null) {
      throw new IllegalArgumentException("webSocket must not be null");
    }
    return new ListenerSettings(host, port, tls, highWaterMark, lowWaterMark, value);
  }

  /** @return what a connection accepted here is: tcp, tls, ws or wss */
  public TransportKind kind() {
    if (webSocket != null) {
      return tls == null ? TransportKind.WS : TransportKind.WSS;
    }
    return tls == null ? TransportKind.TCP : TransportKind.TLS;
  }

  /** @return "host:port" as used in log and error messages, with "*" for every interface */
  public String endpoint() {
    String shown = host == null ? "*" : host.indexOf(':') >= 0 ? "[" + host + "]" : host;
    return shown + ":" + port;
  }

  private static boolean isWildcard(String host) {
    return host == null || host.isBlank() || host.equals("*") || host.equals("0.0.0.0");
  }
}
