package org.ferrymq.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import org.ferrymq.codec.DecoderContext;
import org.ferrymq.codec.MalformedPacketException;
import org.ferrymq.codec.MqttDecoder;
import org.ferrymq.codec.MqttEncoder;
import org.ferrymq.packet.ConnAck;
import org.ferrymq.packet.Connect;
import org.ferrymq.packet.Packet;
import org.ferrymq.packet.Properties;
import org.ferrymq.packet.ProtocolVersion;
import org.ferrymq.packet.QoS;
import org.ferrymq.packet.ReasonCode;
import org.ferrymq.packet.SubAck;
import org.ferrymq.packet.Subscribe;
import org.ferrymq.packet.Subscription;

/**
 * A lean MQTT 3.1.1 client for load generation. CONNECT, SUBSCRIBE and their acknowledgements go
 * through {@code org.ferrymq.codec}; once {@link #startReader} runs, received packets are handed
 * to a {@link Handler} straight from the receive buffer, without decoding into objects.
 *
 * <p>Threads: one writer thread plus the reader thread may send; {@link #send} and {@link #flush}
 * are synchronized. Sent bytes are buffered until {@link #flush} or a full buffer.
 */
final class BenchClient implements AutoCloseable {
  private static final DecoderContext CLIENT_SIDE =
      new DecoderContext(ProtocolVersion.MQTT_3_1_1, DecoderContext.MAX_PACKET_SIZE, false);

  /** Receives packets on the reader thread. */
  interface Handler {
    /**
     * One complete packet; the bytes are valid only during the call.
     *
     * @param client the receiving client, e.g. to send an acknowledgement
     * @param firstByte the fixed header's first byte
     * @param buf the receive buffer
     * @param bodyOff where the variable header starts
     * @param bodyLen the Remaining Length
     */
    void packet(BenchClient client, int firstByte, byte[] buf, int bodyOff, int bodyLen)
        throws IOException;
  }

  final String clientId;
  private final Wire wire;
  private byte[] out;
  private int outLen;
  private byte[] in;
  private int inLen;
  private Thread reader;
  private volatile boolean closed;
  private boolean sessionPresent;

  private BenchClient(String clientId, Wire wire, int bufferSize) {
    this.clientId = clientId;
    this.wire = wire;
    this.out = new byte[bufferSize];
    this.in = new byte[bufferSize];
  }

  /**
   * Connects and waits for a successful CONNACK.
   *
   * @param localAddress source address for tcp/tls, or {@code null}
   * @param bufferSize initial send and receive buffer size (small for idle clients)
   * @throws IOException if the connection fails or the broker refuses it
   */
  static BenchClient connect(Endpoint endpoint, String clientId, boolean cleanSession,
      String localAddress, int bufferSize) throws IOException {
    Wire wire = endpoint.open(localAddress);
    BenchClient c = new BenchClient(clientId, wire, bufferSize);
    try {
      wire.readTimeout(30_000);
      c.sendPacket(new Connect(ProtocolVersion.MQTT_3_1_1, clientId, cleanSession, 0, null, null,
          null, Properties.EMPTY));
      c.flush();
      Packet p = c.readPacket();
      if (!(p instanceof ConnAck ack) || ack.reasonCode() != ReasonCode.SUCCESS) {
        throw new IOException(clientId + ": connection refused: " + p);
      }
      c.sessionPresent = ack.sessionPresent();
      wire.readTimeout(0);
      return c;
    } catch (IOException | RuntimeException e) {
      c.close();
      throw e;
    }
  }

  /** @return the CONNACK's Session Present flag: the broker resumed a stored session */
  boolean sessionPresent() {
    return sessionPresent;
  }

  /** @return whether the reader runs, i.e. the connection has not ended or failed */
  boolean isOpen() {
    return reader != null && reader.isAlive();
  }

  /** @return whether this side ended the connection ({@link #close} or {@link #abort}) */
  boolean isClosed() {
    return closed;
  }

  /** Subscribes to one filter and waits for the SUBACK; call before {@link #startReader}. */
  void subscribe(String filter, QoS qos) throws IOException {
    sendPacket(new Subscribe(1, List.of(new Subscription(filter, qos)), Properties.EMPTY));
    flush();
    Packet p = readPacket();
    if (!(p instanceof SubAck ack) || ack.reasonCodes().get(0).isError()) {
      throw new IOException(clientId + ": subscription to " + filter + " refused: " + p);
    }
  }

  /** Encodes and buffers one packet. */
  void sendPacket(Packet p) throws IOException {
    ByteBuffer b = MqttEncoder.encode(p, ProtocolVersion.MQTT_3_1_1);
    send(b.array(), b.arrayOffset() + b.position(), b.remaining());
  }

  /** Buffers bytes, writing the buffer out first when they do not fit. */
  synchronized void send(byte[] bytes, int off, int len) throws IOException {
    if (outLen + len > out.length) {
      flush();
      if (len > out.length) {
        out = new byte[len];
      }
    }
    System.arraycopy(bytes, off, out, outLen, len);
    outLen += len;
  }

  /** Buffers an acknowledgement packet (PUBACK, PUBREC, PUBREL, PUBCOMP). */
  synchronized void sendAck(int type, int packetId) throws IOException {
    if (outLen + 4 > out.length) {
      flush();
    }
    outLen = Packets.writeAck(type, packetId, out, outLen);
  }

  synchronized void flush() throws IOException {
    if (outLen > 0) {
      wire.write(out, 0, outLen);
      outLen = 0;
    }
  }

  /** Reads until one whole packet is decoded; bytes after it stay buffered. */
  private Packet readPacket() throws IOException {
    while (true) {
      ByteBuffer view = ByteBuffer.wrap(in, 0, inLen);
      try {
        Packet p = MqttDecoder.decode(view, CLIENT_SIDE);
        if (p != null) {
          consume(view.position());
          return p;
        }
      } catch (MalformedPacketException e) {
        throw new IOException(clientId + ": malformed packet from the broker: " + e.getMessage(),
            e);
      }
      fill();
    }
  }

  private void fill() throws IOException {
    if (inLen == in.length) {
      in = Arrays.copyOf(in, in.length * 2);
    }
    int n = wire.read(in, inLen, in.length - inLen);
    if (n < 0) {
      throw new IOException(clientId + ": connection closed by the broker");
    }
    inLen += n;
  }

  private void consume(int bytes) {
    System.arraycopy(in, bytes, in, 0, inLen - bytes);
    inLen -= bytes;
  }

  /**
   * Starts a daemon thread that hands every received packet to {@code handler} and flushes
   * whatever the handler sent after each read.
   */
  void startReader(Handler handler) {
    startReader(handler, 0);
  }

  /**
   * Like {@link #startReader(Handler)}, but sleeps {@code pauseNanos} before each read of the
   * socket: a subscriber that takes what arrived in batches and is slower than a reader that
   * blocks in {@code read} at once (what a busy application does to a broker).
   */
  void startReader(Handler handler, long pauseNanos) {
    reader = new Thread(() -> readLoop(handler, pauseNanos), "bench-read-" + clientId);
    reader.setDaemon(true);
    reader.start();
  }

  private void readLoop(Handler handler, long pauseNanos) {
    try {
      while (!closed) {
        int pos = scan(handler);
        consume(pos);
        flush();
        if (pauseNanos > 0) {
          LockSupport.parkNanos(pauseNanos);
        }
        fill();
      }
    } catch (IOException e) {
      if (!closed) {
        System.err.println(clientId + ": " + e.getMessage());
      }
    }
  }

  /** @return the position after the last complete packet in the receive buffer */
  private int scan(Handler handler) throws IOException {
    int pos = 0;
    while (inLen - pos >= 2) {
      int i = pos + 1;
      int remaining = 0;
      int shift = 0;
      boolean complete = false;
      while (i < inLen && shift <= 21) {
        int b = in[i++] & 0xFF;
        remaining |= (b & 0x7F) << shift;
        shift += 7;
        if ((b & 0x80) == 0) {
          complete = true;
          break;
        }
      }
      if (!complete) {
        if (shift > 21) {
          throw new IOException(clientId + ": malformed Remaining Length from the broker");
        }
        return pos;
      }
      if (i + remaining > inLen) {
        if (i - pos + remaining > in.length) {
          in = Arrays.copyOf(in, i - pos + remaining);
        }
        return pos;
      }
      handler.packet(this, in[pos] & 0xFF, in, i, remaining);
      pos = i + remaining;
    }
    return pos;
  }

  /** Closes the socket without DISCONNECT, as a crashed client or a lost network does. */
  void abort() {
    closed = true;
    wire.close();
  }

  /** Sends DISCONNECT if possible and closes the connection. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      send(new byte[] {(byte) 0xE0, 0}, 0, 2);
      flush();
    } catch (IOException ignored) {
      // the connection is going away anyway
    }
    wire.close();
  }
}
