package org.ferrymq.engine;

import java.util.Map;

/**
 * A snapshot of the broker's flow control, for metrics and health (docs/architecture.md, "Flow
 * control").
 *
 * @param overloaded whether the heap is past {@code mqtt.overload.heap-high-percent}
 * @param heapUse share of the maximum heap in use after the latest collection, 0..1
 * @param connectionsPaused connections the broker does not read from right now
 * @param publishersThrottled publishers with an acknowledgement held back by a congested
 *     subscriber
 * @param slowSubscribersDisconnected clients disconnected since start for taking nothing within
 *     {@code mqtt.slow-subscriber-timeout}
 * @param slowPacketsClosed connections closed since start for sending a packet slower than
 *     {@code mqtt.min-packet-rate}
 * @param connectionsRefusedOverload CONNECTs refused since start while overloaded
 * @param dropped messages not delivered since start, by reason
 * @param storeAvailable false while the durable store is failed and QoS 1/2 publishes are held
 * @param storeFailures fault episodes of the store since start
 * @param publishesHeld PUBLISH packets held right now until the store is back
 */
public record FlowStats(boolean overloaded, double heapUse, long connectionsPaused,
    long publishersThrottled, long slowSubscribersDisconnected, long slowPacketsClosed,
    long connectionsRefusedOverload, Map<DropReason, Long> dropped, boolean storeAvailable,
    long storeFailures, long publishesHeld) {

  public FlowStats {
    dropped = Map.copyOf(dropped);
  }
}
