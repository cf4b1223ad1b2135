package org.ferrymq.bench;

/**
 * The few wire details the generator handles itself on its hot paths, so that sending and
 * receiving a message costs no allocation: MQTT 3.1.1 acknowledgements and the layout of a
 * received PUBLISH. Everything else is encoded and decoded by {@code org.ferrymq.codec}.
 */
final class Packets {
  static final int PUBLISH = 3;
  static final int PUBACK = 4;
  static final int PUBREC = 5;
  static final int PUBREL = 6;
  static final int PUBCOMP = 7;

  private Packets() {
  }

  /**
   * Writes a four-byte MQTT 3.1.1 acknowledgement (PUBACK, PUBREC, PUBREL or PUBCOMP).
   *
   * @return the next free position
   */
  static int writeAck(int type, int packetId, byte[] out, int pos) {
    out[pos] = (byte) (type << 4 | (type == PUBREL ? 0x02 : 0));
    out[pos + 1] = 2;
    out[pos + 2] = (byte) (packetId >>> 8);
    out[pos + 3] = (byte) packetId;
    return pos + 4;
  }

  /** @return the packet type of a first header byte */
  static int type(int firstByte) {
    return (firstByte >>> 4) & 0x0F;
  }

  /** @return the QoS bits of a PUBLISH first byte */
  static int publishQos(int firstByte) {
    return (firstByte >>> 1) & 0x03;
  }

  /** @return the unsigned 16-bit integer at {@code off} */
  static int u16(byte[] b, int off) {
    return (b[off] & 0xFF) << 8 | (b[off + 1] & 0xFF);
  }

  /** @return the packet identifier of an MQTT 3.1.1 PUBLISH body with QoS above 0 */
  static int publishPacketId(byte[] body, int bodyOff) {
    return u16(body, bodyOff + 2 + u16(body, bodyOff));
  }

  /** @return the offset of the payload in an MQTT 3.1.1 PUBLISH body */
  static int publishPayloadOffset(byte[] body, int bodyOff, int qos) {
    return bodyOff + 2 + u16(body, bodyOff) + (qos > 0 ? 2 : 0);
  }
}
