package org.ferrymq.engine;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.ferrymq.codec.DecoderContext;
import org.ferrymq.codec.MalformedPacketException;
import org.ferrymq.codec.MqttDecoder;
import org.ferrymq.codec.MqttEncoder;
import org.ferrymq.packet.ConnAck;
import org.ferrymq.packet.Connect;
import org.ferrymq.packet.Packet;
import org.ferrymq.packet.Properties;
import org.ferrymq.packet.ProtocolVersion;
import org.ferrymq.packet.ReasonCode;
import org.ferrymq.transport.InboundHandler;
import org.ferrymq.transport.Transport;
import org.ferrymq.transport.TransportKind;

/**
 * The transport-facing half of a connection: reassembles packets from the byte stream and hands
 * them, in batches, to the {@link ConnectionHandler} on the session's lane.
 *
 * <p>Called by one transport thread at a time. Decoding happens here (it is pure and needs no
 * session state); nothing is buffered beyond one incomplete packet, which the decoder bounds by
 * the maximum packet size before the body arrives.
 */
final class MqttConnection implements InboundHandler {
  private static final Logger LOG = Logger.getLogger(MqttConnection.class.getName());
  private final BrokerCore core;
  private final Transport transport;
  final ConnectionHandler handler;
  final InboundGate gate;
  /** Packets up to this size get a buffer of exactly their size once the fixed header is in. */
  static final int EXACT_SIZE_UP_TO = 64 * 1024;
  private ByteBuffer partial;
  private DecoderContext context;
  private Lane lane;
  private boolean failed;
  private boolean closed;
  /** How often the incomplete-packet buffer was replaced by a larger one; for tests. */
  int partialGrowths;
  final long acceptedAtNanos = System.nanoTime();

  /** @return how the client connected, for the per-listener connection counts */
  TransportKind kind() {
    return transport.info().kind();
  }

  MqttConnection(BrokerCore core, Transport transport) {
    this.core = core;
    this.transport = transport;
    this.gate = new InboundGate(transport, core.metrics);
    this.handler = new ConnectionHandler(core, transport, gate,
        () -> core.connectionIdentified(this));
    this.context = new DecoderContext(null, core.config.maxPacketSize());
  }

  @Override
  public void onBytes(ByteBuffer data) {
    if (failed || closed) {
      return;
    }
    core.metrics.bytesReceived.add(data.remaining());
    ByteBuffer in = partial == null ? data : append(data);
    int start = in.position();
    List<Packet> batch = null;
    try {
      Packet p;
      while ((p = MqttDecoder.decode(in, context)) != null) {
        if (lane == null) {
          start(p);
        } else if (p instanceof Connect) {
          // [MQTT-3.1.0-2] a second CONNECT is a protocol violation
          throw new MalformedPacketException(ReasonCode.PROTOCOL_ERROR, "second CONNECT");
        }
        if (batch == null) {
          batch = new ArrayList<>(4);
        }
        batch.add(p);
      }
    } catch (MalformedPacketException e) {
      failed = true;
      partial = null;
      dispatch(batch, 0);
      fail(e);
      return;
    }
    int consumed = in.position() - start;
    boolean heldBefore = partial != null;
    keepRemainder(in);
    if (partial == null) {
      handler.pace().idle();
    } else {
      // What is held begins a new packet if nothing was held or a packet just completed
      handler.pace().arrived(partial.position(), !heldBefore || batch != null, System.nanoTime());
    }
    if (batch != null) {
      // [MQTT-3.1.2-22] keep alive counts Control Packets, not bytes: a client dribbling a
      // packet a byte at a time does not stay alive on the dribble
      handler.packetsArrived(System.nanoTime());
    }
    dispatch(batch, consumed);
  }

  /** First packet: must be CONNECT [MQTT-3.1.0-1]; it fixes the version and the lane. */
  private void start(Packet p) throws MalformedPacketException {
    if (!(p instanceof Connect connect)) {
      throw new MalformedPacketException(ReasonCode.PROTOCOL_ERROR,
          "first packet must be CONNECT, was " + p.type());
    }
    context = new DecoderContext(connect.version(), core.config.maxPacketSize());
    String clientId = connect.clientId().isEmpty() ? core.newClientId() : connect.clientId();
    lane = core.laneFor(clientId);
    handler.assign(clientId, lane);
  }

  /** Hands packets to the lane, counting their bytes against the client until they ran. */
  private void dispatch(List<Packet> batch, int bytes) {
    if (batch != null && lane != null) {
      gate.reserve(bytes);
      // An idle lane runs the packets right here on the transport thread (see Lane)
      lane.executeHere(() -> handler.handle(batch, bytes));
    }
  }

  private void fail(MalformedPacketException e) {
    if (lane != null) {
      lane.execute(() -> handler.protocolFailure(e));
    } else {
      // Before a valid CONNECT there is no session: answer an unsupported version, then close
      refuseBeforeConnect(e);
    }
  }

  /**
   * Adds bytes to the incomplete packet. Once its fixed header is in, the buffer is sized from
   * the declared length: exactly, up to {@link #EXACT_SIZE_UP_TO}; above that it at least
   * doubles up to the declared length, so a client must send bytes to make the broker hold
   * them. Either way a packet that arrives a byte at a time costs copies linear in its size,
   * and the decoder has already refused a declared size above the maximum packet size.
   */
  private ByteBuffer append(ByteBuffer data) {
    if (partial.remaining() < data.remaining()) {
      int needed = partial.position() + data.remaining();
      ByteBuffer held = partial.duplicate().flip();
      int declared = MqttDecoder.packetLength(held);
      long bound = declared > 0 ? declared : core.config.maxPacketSize() + 5L;
      int grown = (int) Math.min(Math.max(2L * partial.capacity(), EXACT_SIZE_UP_TO), bound);
      ByteBuffer bigger = ByteBuffer.allocate(Math.max(needed, grown));
      partial.flip();
      bigger.put(partial);
      partial = bigger;
      partialGrowths++;
    }
    partial.put(data);
    partial.flip();
    return partial;
  }

  private void keepRemainder(ByteBuffer in) {
    if (!in.hasRemaining()) {
      partial = null;
      return;
    }
    if (in == partial) {
      partial.compact();
      return;
    }
    int declared = MqttDecoder.packetLength(in);
    int size = declared > 0 && declared <= EXACT_SIZE_UP_TO ? declared : 1024;
    ByteBuffer copy = ByteBuffer.allocate(Math.max(in.remaining(), size));
    copy.put(in);
    partial = copy;
  }

  /** A malformed first packet: unsupported versions get CONNACK 0x84 / return code 1. */
  private void refuseBeforeConnect(MalformedPacketException e) {
    LOG.log(Level.FINE, () -> "Closing connection from " + transport.info().remoteAddress()
        + " before CONNECT: " + e.getMessage());
    if (e.reasonCode() == ReasonCode.UNSUPPORTED_PROTOCOL_VERSION) {
      // [MQTT-3.1.2-2] answered in the 3.1.1 format, which every version can read
      ByteBuffer ack = MqttEncoder.encode(new ConnAck(false,
          ReasonCode.UNSUPPORTED_PROTOCOL_VERSION, Properties.EMPTY), ProtocolVersion.MQTT_3_1_1);
      transport.send(ack);
      transport.flush();
    }
    transport.close();
  }

  @Override
  public void onWritable() {
    gate.release(InboundGate.OUTBOUND);
    if (lane != null) {
      lane.execute(handler::onWritable);
    }
  }

  @Override
  public void onUnwritable() {
    // A client that does not read what it asked for is not read from either
    gate.hold(InboundGate.OUTBOUND);
  }

  @Override
  public void onClosed() {
    if (closed) {
      return;
    }
    closed = true;
    gate.closed();
    core.connectionClosed(this);
    if (lane != null) {
      lane.execute(handler::onTransportClosed);
    }
  }

  /**
   * Closes a connection that was not accepted by CONNACK in time; called by the timer. A
   * credential check still running then finds the mark and creates no session.
   */
  void closeUnidentified() {
    handler.markClosedBeforeConnAck();
    transport.close();
  }
}
