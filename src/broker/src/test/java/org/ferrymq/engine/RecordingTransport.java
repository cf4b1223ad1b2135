package org.ferrymq.engine;

import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.ferrymq.codec.DecoderContext;
import org.ferrymq.codec.MalformedPacketException;
import org.ferrymq.codec.MqttDecoder;
import org.ferrymq.packet.Packet;
import org.ferrymq.packet.ProtocolVersion;
import org.ferrymq.transport.Transport;
import org.ferrymq.transport.TransportInfo;
import org.ferrymq.transport.TransportKind;

/**
 * An in-memory transport that only records: flushed bytes, close, and the read switch. Unlike
 * {@link FakeTransport} it never decodes on the engine's threads, so a malformed packet from the
 * broker fails the test thread that calls {@link #take} instead of a lane.
 */
final class RecordingTransport implements Transport {
  private final ByteArrayOutputStream unflushed = new ByteArrayOutputStream();
  private final ByteArrayOutputStream flushed = new ByteArrayOutputStream();
  private int taken;
  private volatile boolean closed;
  private volatile boolean readingPaused;

  @Override
  public synchronized void send(ByteBuffer bytes) {
    byte[] copy = new byte[bytes.remaining()];
    bytes.get(copy);
    unflushed.write(copy, 0, copy.length);
  }

  @Override
  public synchronized void flush() {
    byte[] bytes = unflushed.toByteArray();
    flushed.write(bytes, 0, bytes.length);
    unflushed.reset();
  }

  @Override
  public boolean isWritable() {
    return true;
  }

  @Override
  public void setReadingPaused(boolean paused) {
    readingPaused = paused;
  }

  @Override
  public synchronized void abort() {
    unflushed.reset();
    closed = true;
  }

  @Override
  public void close() {
    flush();
    closed = true;
  }

  @Override
  public TransportInfo info() {
    return new TransportInfo(TransportKind.LOCAL, new InetSocketAddress("127.0.0.1", 50000));
  }

  boolean isClosed() {
    return closed;
  }

  boolean readingPaused() {
    return readingPaused;
  }

  /**
   * @return the packets flushed since the last call, decoded as a client of {@code version}
   * @throws AssertionError if the broker sent bytes that are not a well-formed packet
   */
  synchronized List<Packet> take(ProtocolVersion version) {
    byte[] all = flushed.toByteArray();
    ByteBuffer in = ByteBuffer.wrap(all, taken, all.length - taken);
    DecoderContext client = new DecoderContext(version, DecoderContext.MAX_PACKET_SIZE, false);
    List<Packet> packets = new ArrayList<>();
    try {
      Packet p;
      while ((p = MqttDecoder.decode(in, client)) != null) {
        packets.add(p);
      }
    } catch (MalformedPacketException e) {
      throw new AssertionError("the broker sent a malformed packet (" + e.getMessage() + "): "
          + Arrays.toString(Arrays.copyOfRange(all, in.position(), all.length)), e);
    }
    taken = in.position();
    return packets;
  }
}
