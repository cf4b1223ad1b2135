package org.ferrymq.engine;

import java.util.Map;
import org.ferrymq.packet.QoS;
import org.ferrymq.stats.LatencySnapshot;
import org.ferrymq.transport.TransportKind;

/**
 * A snapshot of the broker's traffic by kind, for metrics (docs/metrics.md).
 *
 * @param receivedByQos PUBLISH packets received since start, by the QoS they came with
 * @param sentByQos PUBLISH packets sent since start (and messages handed to in-process
 *     subscribers), by the QoS they went out with
 * @param connectionsOpenByKind network connections open now, by how they connected
 * @param deliveryLatency from a PUBLISH's arrival to each copy written to a subscriber's
 *     transport (first transmissions, not resends), queueing for slow subscribers included
 * @param storeCommitLatency commit and sync of the durable store, once per group commit
 */
public record TrafficStats(Map<QoS, Long> receivedByQos, Map<QoS, Long> sentByQos,
    Map<TransportKind, Long> connectionsOpenByKind, LatencySnapshot deliveryLatency,
    LatencySnapshot storeCommitLatency) {

  public TrafficStats {
    receivedByQos = Map.copyOf(receivedByQos);
    sentByQos = Map.copyOf(sentByQos);
    connectionsOpenByKind = Map.copyOf(connectionsOpenByKind);
  }
}
