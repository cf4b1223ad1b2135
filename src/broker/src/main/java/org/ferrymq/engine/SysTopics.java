package org.ferrymq.engine;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.ferrymq.message.Message;
import org.ferrymq.packet.QoS;

/**
 * Publishes broker statistics as retained messages under {@code $SYS/broker/}, the layout
 * Mosquitto made common, so existing dashboards and scripts read them unchanged; then the
 * figures of the {@link SysExtension}, if any (a cluster's totals).
 */
final class SysTopics {
  private static final Logger LOG = Logger.getLogger(SysTopics.class.getName());
  private final BrokerCore core;
  private final String version;
  /** Null: this node's figures only. */
  private final SysExtension extension;

  SysTopics(BrokerCore core, String version, SysExtension extension) {
    this.core = core;
    this.version = version;
    this.extension = extension;
  }

  void publish() {
    BrokerStats s = BrokerReadings.stats(core);
    put("version", "FerryMQ " + version);
    put("uptime", s.uptimeSeconds() + " seconds");
    put("clients/connected", s.clientsConnected());
    put("clients/total", s.clientsTotal());
    put("connections/open", s.connectionsOpen());
    put("connections/total", s.connectionsTotal());
    put("messages/received", s.messagesReceived());
    put("messages/sent", s.messagesSent());
    put("messages/dropped", s.messagesDropped());
    put("messages/queued", s.messagesQueued());
    put("bytes/received", s.bytesReceived());
    put("bytes/sent", s.bytesSent());
    put("subscriptions/count", s.subscriptions());
    put("retained messages/count", s.retainedMessages());
    if (extension != null) {
      Map<String, Object> figures;
      try {
        figures = extension.figures(s);
      } catch (RuntimeException e) {
        // this runs on the broker's timer: a failing extension must not end its sweeps
        LOG.log(Level.WARNING, "$SYS figures of " + extension.getClass().getSimpleName()
            + " not published", e);
        return;
      }
      figures.forEach(this::put);
    }
  }

  private void put(String leaf, Object value) {
    byte[] payload = String.valueOf(value).getBytes(StandardCharsets.UTF_8);
    core.publishInternal(Message.of("$SYS/broker/" + leaf, payload, QoS.AT_MOST_ONCE, true));
  }
}
