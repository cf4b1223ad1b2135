package org.ferrymq.ra;

import java.util.ArrayList;
import java.util.List;
import org.ferrymq.transport.netty.ListenerSettings;
import org.ferrymq.transport.netty.MqttServer;
import org.ferrymq.transport.netty.ServerSslConfig;
import org.ferrymq.transport.netty.WebSocketSettings;

/**
 * The adapter's MQTT listeners, assembled from its settings: {@code mqtt} (TCP), {@code mqtts}
 * (TLS), {@code mqtt-ws} and {@code mqtt-wss} (WebSocket on path {@link WebSocketSettings#path()}).
 * A WebSocket port of 0 serves none; the secure security profile serves TLS only, so plain TCP
 * and ws are not even bound.
 *
 * <p>Not thread-safe as a whole: the adapter starts and stops them serially; each
 * {@link ListenerControl} is thread-safe on its own (operators stop and rebind it through JMX).
 */
final class MqttListeners {

  private static final String NOT_SERVED = "not served (secure profile)";

  private final List<ListenerControl> listeners;
  private final String summary;

  private MqttListeners(List<ListenerControl> listeners, String summary) {
    this.listeners = List.copyOf(listeners);
    this.summary = summary;
  }

  /**
   * @param plain whether plain TCP and ws are served (not in the secure profile)
   * @param tls the key material and policy of the TLS and wss listeners
   * @param webSocket framing and origin check of the ws and wss listeners
   * @return the listeners, not yet bound
   */
  static MqttListeners assemble(MqttServer server, AdapterSettings settings, boolean plain,
      ServerSslConfig tls, WebSocketSettings webSocket) {
    String host = settings.host();
    List<ListenerControl> listeners = new ArrayList<>();
    if (plain) {
      listeners.add(new ListenerControl("mqtt", server,
          ListenerSettings.tcp(host, settings.tcpPort())));
    }
    listeners.add(new ListenerControl("mqtts", server,
        ListenerSettings.tls(host, settings.tlsPort(), tls)));
    boolean ws = plain && settings.wsPort() > 0;
    if (ws) {
      listeners.add(new ListenerControl("mqtt-ws", server,
          ListenerSettings.tcp(host, settings.wsPort()).withWebSocket(webSocket)));
    }
    boolean wss = settings.wssPort() > 0;
    if (wss) {
      listeners.add(new ListenerControl("mqtt-wss", server,
          ListenerSettings.tls(host, settings.wssPort(), tls).withWebSocket(webSocket)));
    }
    String summary = "MQTT on " + (plain ? host + ":" + settings.tcpPort() : NOT_SERVED)
        + ", MQTT/TLS on " + host + ":" + settings.tlsPort()
        + ", ws on " + (!plain ? NOT_SERVED
            : ws ? host + ":" + settings.wsPort() + webSocket.path() : "off")
        + ", wss on " + (wss ? host + ":" + settings.wssPort() + webSocket.path() : "off");
    return new MqttListeners(listeners, summary);
  }

  /** @return the listeners in the order they bind */
  List<ListenerControl> all() {
    return listeners;
  }

  /** Binds every listener. @throws IllegalStateException naming one that cannot bind */
  void startAll() {
    for (ListenerControl listener : listeners) {
      listener.start();
    }
  }

  /** Unbinds every listener; one never bound is skipped. */
  void stopAll() {
    for (ListenerControl listener : listeners) {
      listener.stop();
    }
  }

  /** @return where each listener serves, for the startup log line */
  String summary() {
    return summary;
  }
}
