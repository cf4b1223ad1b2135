package org.ferrymq.engine;

import java.util.Map;

/**
 * Figures a layer above the engine adds to {@code $SYS/broker/} at each {@code $SYS} publish
 * (SPI; the cluster's totals over its members implement it). Without one (the default) the
 * engine publishes its own figures only.
 */
public interface SysExtension {

  /**
   * Called on the broker's timer every {@code mqtt.sys-interval} seconds, after this node's own
   * figures were published; it must not block.
   *
   * @param own this node's figures, as just published
   * @return topic levels under {@code $SYS/broker/} (such as {@code cluster/members}) with their
   *     values, published retained at QoS 0 in the map's iteration order
   */
  Map<String, Object> figures(BrokerStats own);
}
