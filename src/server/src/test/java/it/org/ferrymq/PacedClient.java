package it.org.ferrymq;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
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

/**
 * A raw MQTT client for the flow-control tests, built on the broker's own codec like
 * {@link MqttProbe}, with two things a well-behaved library will not do: it writes any number of
 * packets in a single socket write, and it reads at a pace the test sets (reads of at most
 * {@code chunk} bytes with a pause after each), so it can be made slower than the broker on
 * purpose. Not thread-safe, except that {@link #send} may run on one thread while
 * {@link #receive} runs on another.
 */
final class PacedClient implements AutoCloseable {

  private final Socket socket;
  private final ProtocolVersion version;
  private final DecoderContext context;
  /** Bytes read and not yet decoded, in read mode. */
  private ByteBuffer buffered = ByteBuffer.allocate(64 * 1024).flip();
  private int chunk = 64 * 1024;
  private long pauseNanos;

  private PacedClient(Socket socket, ProtocolVersion version) {
    this.socket = socket;
    this.version = version;
    this.context = new DecoderContext(version, DecoderContext.MAX_PACKET_SIZE, false);
  }

  /**
   * Opens a connection to the broker on localhost.
   *
   * @param receiveBuffer SO_RCVBUF in bytes, set before connecting; 0 keeps the system default
   */
  static PacedClient open(int port, ProtocolVersion version, int receiveBuffer)
      throws IOException {
    Socket socket = new Socket();
    if (receiveBuffer > 0) {
      socket.setReceiveBufferSize(receiveBuffer);
    }
    socket.connect(new InetSocketAddress("localhost", port), 5_000);
    socket.setTcpNoDelay(true);
    socket.setSoTimeout(15_000);
    return new PacedClient(socket, version);
  }

  /** Sends CONNECT (clean start, no credentials) and returns the CONNACK. */
  ConnAck connect(String clientId, int keepAlive, Properties properties) throws IOException {
    send(new Connect(version, clientId, true, keepAlive, null, null, null, properties));
    Packet answer = receive();
    if (!(answer instanceof ConnAck ack)) {
      throw new IOException("expected CONNACK, got " + answer);
    }
    return ack;
  }

  /** Reads at most {@code chunkBytes} per read and parks {@code pause} nanoseconds after each. */
  void pace(int chunkBytes, long pause) {
    this.chunk = chunkBytes;
    this.pauseNanos = pause;
  }

  /** Writes the packets with one socket write. */
  void send(Packet... packets) throws IOException {
    send(List.of(packets));
  }

  /** Writes the packets with one socket write. */
  void send(List<? extends Packet> packets) throws IOException {
    socket.getOutputStream().write(encode(packets, version));
  }

  /** @return the packets encoded back to back */
  static byte[] encode(List<? extends Packet> packets, ProtocolVersion version) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Packet packet : packets) {
      ByteBuffer bytes = MqttEncoder.encode(packet, version);
      out.write(bytes.array(), bytes.arrayOffset() + bytes.position(), bytes.remaining());
    }
    return out.toByteArray();
  }

  /**
   * @return the next packet from the broker, or null when it closed the connection (EOF)
   * @throws java.net.SocketException on a reset, {@link java.net.SocketTimeoutException} when
   *     nothing arrives for 15 s
   */
  Packet receive() throws IOException {
    InputStream in = socket.getInputStream();
    while (true) {
      if (buffered.hasRemaining()) {
        ByteBuffer view = buffered.duplicate();
        Packet packet;
        try {
          packet = MqttDecoder.decode(view, context);
        } catch (MalformedPacketException e) {
          throw new IOException("the broker sent a malformed packet: " + e.getMessage(), e);
        }
        if (packet != null) {
          buffered.position(view.position());
          return packet;
        }
      }
      buffered.compact();
      if (!buffered.hasRemaining()) {
        ByteBuffer larger = ByteBuffer.allocate(buffered.capacity() * 2);
        buffered.flip();
        larger.put(buffered);
        buffered = larger;
      }
      int n = in.read(buffered.array(), buffered.arrayOffset() + buffered.position(),
          Math.min(chunk, buffered.remaining()));
      if (n > 0) {
        buffered.position(buffered.position() + n);
      }
      buffered.flip();
      if (n < 0) {
        return null;
      }
      if (pauseNanos > 0) {
        LockSupport.parkNanos(pauseNanos);
      }
    }
  }

  Socket socket() {
    return socket;
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
