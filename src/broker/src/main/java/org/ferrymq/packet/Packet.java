package org.ferrymq.packet;

/** An MQTT control packet of any version. */
public sealed interface Packet
    permits Connect, ConnAck, Publish, PubAck, PubRec, PubRel, PubComp, Subscribe, SubAck,
        Unsubscribe, UnsubAck, PingReq, PingResp, Disconnect, Auth {

  /** @return the control packet type */
  PacketType type();
}
