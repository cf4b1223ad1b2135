package org.ferrymq.cluster;

/**
 * What crosses between this node and one peer now, for the per-peer metrics. A plain value:
 * reading it loads no Hazelcast class.
 *
 * @param nodeId the peer's node id (its member UUID, new at each start)
 * @param address the peer's cluster {@code host:port}, as listed in {@code mqtt.cluster.members}
 * @param forwarded messages this node forwarded to the peer since the peer joined
 * @param received messages the peer forwarded to this node, routed here, since it joined
 * @param unsettled QoS 1/2 messages this node forwarded to the peer, or has waiting for it,
 *     that the peer has not settled yet: their publishers' acknowledgements wait for it
 */
public record PeerTraffic(String nodeId, String address, long forwarded, long received,
    int unsettled) {
}
