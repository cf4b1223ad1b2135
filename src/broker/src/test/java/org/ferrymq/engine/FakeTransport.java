package org.ferrymq.engine;

import java.io.ByteArrayOutputStream;
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
 * An in-memory transport: what the engine sends and flushes is decoded into packets a test can
 * take in order, and kept as raw bytes; writability can be switched off to simulate a slow client.
 * Thread-safe: the engine calls it from its lanes while the test thread reads.
 */
public final class FakeTransport implements Transport {
  private final LinkedBlockingQueue<Packet> received = new LinkedBlockingQueue<>();
  private final ByteArrayOutputStream unflushed = new ByteArrayOutputStream();
  private final ByteArrayOutputStream raw = new ByteArrayOutputStream();
  private final DecoderContext context;
  private ByteBuffer pending = ByteBuffer.allocate(0);
  private volatile boolean closed;
  private volatile boolean writable = true;
  private volatile Thread lastSender;
  private final java.util.concurrent.atomic.AtomicInteger flushes =
      new java.util.concurrent.atomic.AtomicInteger();

  private final InetSocketAddress remote;

  public FakeTransport(ProtocolVersion version) {
    this(version, new InetSocketAddress("127.0.0.1", 50000));
  }

  /** @param remote the client's address, as the broker sees it */
  public FakeTransport(ProtocolVersion version, InetSocketAddress remote) {
    // Client side: decodes what a broker may send (e.g. Subscription Identifiers in PUBLISH)
    this.context = new DecoderContext(version, DecoderContext.MAX_PACKET_SIZE, false);
    this.remote = remote;
  }

  @Override
  public synchronized void send(ByteBuffer bytes) {
    lastSender = Thread.currentThread();
    byte[] copy = new byte[bytes.remaining()];
    bytes.get(copy);
    unflushed.write(copy, 0, copy.length);
  }

  /** Like a real transport, the client sees bytes only once they are flushed. */
  @Override
  public synchronized void flush() {
    flushes.incrementAndGet();
    byte[] bytes = unflushed.toByteArray();
    unflushed.reset();
    raw.write(bytes, 0, bytes.length);
    ByteBuffer joined = ByteBuffer.allocate(pending.remaining() + bytes.length);
    joined.put(pending).put(bytes).flip();
    try {
      Packet p;
      while ((p = MqttDecoder.decode(joined, context)) != null) {
        received.add(p);
      }
    } catch (MalformedPacketException e) {
      throw new AssertionError("broker sent a malformed packet: " + e.getMessage(), e);
    }
    pending = joined.slice();
  }

  @Override
  public boolean isWritable() {
    return writable;
  }

  private volatile boolean readingPaused;

  @Override
  public void setReadingPaused(boolean paused) {
    readingPaused = paused;
  }

  /** @return whether the engine last asked this transport to stop reading */
  public boolean readingPaused() {
    return readingPaused;
  }

  /** Switches the simulated outbound buffer between full (false) and drained (true). */
  public void setWritable(boolean value) {
    writable = value;
  }

  /** Drops what was not flushed and closes. */
  @Override
  public synchronized void abort() {
    unflushed.reset();
    closed = true;
  }

  /** Flushes what was queued, then closes, as the {@link Transport} contract says. */
  @Override
  public void close() {
    flush();
    closed = true;
  }

  public boolean isClosed() {
    return closed;
  }

  @Override
  public TransportInfo info() {
    return new TransportInfo(TransportKind.LOCAL, remote);
  }

  /** @return the thread that wrote the latest bytes, i.e. that ran the client's lane then */
  public Thread lastSender() {
    return lastSender;
  }

  /** @return how many times the engine flushed this transport */
  public int flushCount() {
    return flushes.get();
  }

  /** @return every byte the broker sent so far */
  public synchronized byte[] rawBytes() {
    return raw.toByteArray();
  }

  /** @return the next packet the broker sent, waiting up to five seconds, or null */
  public Packet poll() {
    try {
      return received.poll(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /** @return the next packet if one is already there, without waiting */
  public Packet pollNow() {
    return received.poll();
  }
}
