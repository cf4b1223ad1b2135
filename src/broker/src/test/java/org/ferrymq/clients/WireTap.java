package org.ferrymq.clients;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.ferrymq.codec.DecoderContext;
import org.ferrymq.codec.MalformedPacketException;
import org.ferrymq.codec.MqttDecoder;
import org.ferrymq.packet.Connect;
import org.ferrymq.packet.Packet;
import org.ferrymq.packet.ProtocolVersion;
import org.ferrymq.packet.Publish;
import org.ferrymq.packet.QoS;
import org.ferrymq.transport.ConnectionAcceptor;
import org.ferrymq.transport.InboundHandler;
import org.ferrymq.transport.Transport;
import org.ferrymq.transport.TransportInfo;

/**
 * Sits between the Netty listener and the engine and records every byte in both directions, so
 * tests can check what a real client library actually put on the wire (protocol version, topic
 * aliases, properties) and what the broker answered.
 *
 * <p>Thread-safe: the recorders are appended to from the event loop (inbound) and from the
 * session lanes (outbound), and read from the test thread.
 */
final class WireTap implements ConnectionAcceptor {

  private final ConnectionAcceptor engine;
  private final List<Tapped> connections = new CopyOnWriteArrayList<>();

  WireTap(ConnectionAcceptor engine) {
    this.engine = engine;
  }

  @Override
  public InboundHandler accept(Transport transport) {
    Tapped tapped = new Tapped();
    connections.add(tapped);
    InboundHandler handler = engine.accept(new Transport() {
      @Override
      public void send(ByteBuffer bytes) {
        tapped.toClient.record(bytes);
        transport.send(bytes);
      }

      @Override
      public void flush() {
        transport.flush();
      }

      @Override
      public boolean isWritable() {
        return transport.isWritable();
      }

      @Override
      public void setReadingPaused(boolean paused) {
        transport.setReadingPaused(paused);
      }

      @Override
      public void close() {
        transport.close();
      }

      @Override
      public void abort() {
        transport.abort();
      }

      @Override
      public TransportInfo info() {
        return transport.info();
      }
    });
    return new InboundHandler() {
      @Override
      public void onBytes(ByteBuffer data) {
        tapped.fromClient.record(data);
        handler.onBytes(data);
      }

      @Override
      public void onWritable() {
        handler.onWritable();
      }

      @Override
      public void onUnwritable() {
        handler.onUnwritable();
      }

      @Override
      public void onClosed() {
        handler.onClosed();
      }
    };
  }

  /**
   * @return every connection whose CONNECT carried {@code clientId}, oldest first
   */
  List<Tapped> connectionsOf(String clientId) {
    List<Tapped> found = new ArrayList<>();
    for (Tapped c : connections) {
      c.connect().filter(connect -> connect.clientId().equals(clientId))
          .ifPresent(connect -> found.add(c));
    }
    return found;
  }

  /** The recorded traffic of one connection. */
  static final class Tapped {
    private final Recorder fromClient = new Recorder();
    private final Recorder toClient = new Recorder();

    /** @return the CONNECT, once it has arrived whole */
    Optional<Connect> connect() {
      List<Packet> packets = decode(fromClient.bytes(), DecoderContext.beforeConnect(
          DecoderContext.MAX_PACKET_SIZE), true);
      return packets.isEmpty() ? Optional.empty() : Optional.of((Connect) packets.get(0));
    }

    /** @return the whole packets the client has sent so far, CONNECT first */
    List<Packet> fromClient() {
      return decode(fromClient.bytes(), DecoderContext.beforeConnect(
          DecoderContext.MAX_PACKET_SIZE), true);
    }

    /** @return the whole packets the broker has sent so far, CONNACK first */
    List<Packet> toClient() {
      ProtocolVersion version = connect().orElseThrow().version();
      return decode(toClient.bytes(),
          new DecoderContext(version, DecoderContext.MAX_PACKET_SIZE, false), false);
    }

    /** @return the PUBLISH packets the client has sent so far */
    List<Publish> publishesFromClient() {
      return fromClient().stream().filter(Publish.class::isInstance).map(Publish.class::cast)
          .toList();
    }

    /** @return the PUBLISH packets the broker has sent so far */
    List<Publish> publishesToClient() {
      return toClient().stream().filter(Publish.class::isInstance).map(Publish.class::cast)
          .toList();
    }

    /**
     * @return {@code payload@qos} for each QoS 1 and 2 PUBLISH the broker has sent, in wire
     *     order, payloads read as UTF-8
     */
    List<String> reliableDeliveries() {
      return publishesToClient().stream().filter(p -> p.qos() != QoS.AT_MOST_ONCE)
          .map(p -> new String(p.payload(), StandardCharsets.UTF_8) + "@" + p.qos().value())
          .toList();
    }

    private static List<Packet> decode(ByteBuffer in, DecoderContext first, boolean serverSide) {
      List<Packet> packets = new ArrayList<>();
      DecoderContext ctx = first;
      try {
        Packet p;
        while ((p = MqttDecoder.decode(in, ctx)) != null) {
          packets.add(p);
          if (p instanceof Connect c && serverSide) {
            ctx = ctx.withVersion(c.version());
          }
        }
      } catch (MalformedPacketException e) {
        throw new AssertionError("undecodable traffic after " + packets, e);
      }
      return packets;
    }
  }

  /** An append-only copy of one direction's bytes. */
  private static final class Recorder {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    synchronized void record(ByteBuffer data) {
      ByteBuffer view = data.duplicate();
      byte[] copy = new byte[view.remaining()];
      view.get(copy);
      bytes.writeBytes(copy);
    }

    synchronized ByteBuffer bytes() {
      return ByteBuffer.wrap(bytes.toByteArray());
    }
  }
}
