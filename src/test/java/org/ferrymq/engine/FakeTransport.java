package org.ferrymq.engine;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.ferrymq.codec.DecoderContext;
import org.ferrymq.codec.MalformedPacketException;
import org.ferrymq.codec.MqttDecoder;
import org.ferrymq.packet.Packet;
import org.ferrymq.packet.ProtocolVersion;
import org.ferrymq.transport.Transport;
import org.ferrymq.transport.TransportInfo;
import org.ferrymq.transport.TransportKind;

/**
 * An in-memory transport: what the engine sends is decoded into packets a test can take in
 * order; writability can be switched off to simulate a slow client.
 */
final class FakeTransport implements Transport {
  private final LinkedBlockingQueue<Packet> received = new LinkedBlockingQueue<>();
  private final ProtocolVersion version;
  private ByteBuffer pending = ByteBuffer.allocate(0);
  volatile boolean closed;
  volatile boolean writable = true;

  FakeTransport(ProtocolVersion version) {
    this.version = version;
  }

  @Override
  public synchronized void send(ByteBuffer bytes) {
    ByteBuffer joined = ByteBuffer.allocate(pending.remaining() + bytes.remaining());
    joined.put(pending).put(bytes).flip();
    try {
      Packet p;
      while ((p = MqttDecoder.decode(joined, new DecoderContext(version, 268_435_460))) != null) {
        received.add(p);
      }
    } catch (MalformedPacketException e) {
      throw new AssertionError("broker sent a malformed packet: " + e.getMessage(), e);
    }
    pending = joined.slice();
  }

  @Override
  public void flush() {
    // Bytes are decoded as they are sent.
  }

  @Override
  public boolean isWritable() {
    return writable;
  }

  @Override
  public void close() {
    closed = true;
  }

  @Override
  public TransportInfo info() {
    return new TransportInfo(TransportKind.LOCAL, new InetSocketAddress("127.0.0.1", 50000));
  }

  /** @return the next packet the broker sent, waiting up to five seconds, or null */
  Packet poll() {
    try {
      return received.poll(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /** @return the next packet if one is already there, without waiting */
  Packet pollNow() {
    return received.poll();
  }
}
