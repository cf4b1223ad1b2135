package org.ferrymq.transport.netty;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.ferrymq.codec.DecoderContext;
import org.ferrymq.codec.MalformedPacketException;
import org.ferrymq.codec.MqttDecoder;
import org.ferrymq.codec.MqttEncoder;
import org.ferrymq.packet.Packet;
import org.ferrymq.packet.ProtocolVersion;

/**
 * A WebSocket client written out by hand for the tests (RFC 6455), independent of the code under
 * test: it sends any HTTP request head, parses the response head, writes masked client frames
 * and reads server frames one by one. On top of that it reads MQTT packets from the content of
 * binary frames as one byte stream, noting in which frame each packet ended, so a test can see
 * how the server framed its packets without depending on it.
 *
 * <p>Every blocking read is bounded by the socket's read timeout. One thread at a time.
 */
final class RawWebSocket implements AutoCloseable {

  static final int CONTINUATION = 0x0;
  static final int TEXT = 0x1;
  static final int BINARY = 0x2;
  static final int CLOSE = 0x8;
  static final int PING = 0x9;
  static final int PONG = 0xA;

  private static final String ACCEPT_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  private static final int READ_TIMEOUT_MILLIS = 10_000;

  /** One frame from the server. */
  record Frame(int opcode, boolean fin, boolean masked, byte[] payload) {
    /** @return the status code of a Close frame, 1005 (no status) when it carries none */
    int closeStatus() {
      return payload.length < 2 ? 1005 : (payload[0] & 0xFF) << 8 | payload[1] & 0xFF;
    }

    @Override
    public String toString() {
      return "Frame[opcode=" + opcode + ", fin=" + fin + ", " + payload.length + " bytes"
          + (opcode == CLOSE ? ", status " + closeStatus() : "") + "]";
    }
  }

  /** One MQTT packet read from binary frames, with the number of the frame it ended in. */
  record Received(Packet packet, int frame) {
  }

  private final Socket socket;
  private final DataInputStream in;
  private final OutputStream out;
  private final Random masks = new Random();
  private final String key;
  private int status;
  private final Map<String, String> headers = new LinkedHashMap<>();
  /** Content of binary frames received and not yet decoded, in read mode. */
  private ByteBuffer stream = ByteBuffer.allocate(0);
  private int binaryFrames;
  private DecoderContext mqtt = new DecoderContext(ProtocolVersion.MQTT_3_1_1,
      DecoderContext.MAX_PACKET_SIZE, false);

  private RawWebSocket(Socket socket, String key) throws IOException {
    this.socket = socket;
    this.key = key;
    socket.setSoTimeout(READ_TIMEOUT_MILLIS);
    in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
    out = socket.getOutputStream();
  }

  /**
   * Sends a WebSocket upgrade request on a connected socket and reads the response head.
   *
   * @param subprotocols what goes into {@code Sec-WebSocket-Protocol}; none omits the header
   */
  static RawWebSocket upgrade(Socket socket, String path, String... subprotocols)
      throws IOException {
    return upgradeFrom(socket, path, null, subprotocols);
  }

  /**
   * As {@link #upgrade}, as a browser would send it from a page of {@code origin}.
   *
   * @param origin the {@code Origin} header; null omits it
   */
  static RawWebSocket upgradeFrom(Socket socket, String path, String origin,
      String... subprotocols) throws IOException {
    byte[] nonce = new byte[16];
    new Random().nextBytes(nonce);
    String key = Base64.getEncoder().encodeToString(nonce);
    StringBuilder head = new StringBuilder()
        .append("GET ").append(path).append(" HTTP/1.1\r\n")
        .append("Host: 127.0.0.1:").append(socket.getPort()).append("\r\n")
        .append("Upgrade: websocket\r\n")
        .append("Connection: Upgrade\r\n")
        .append("Sec-WebSocket-Key: ").append(key).append("\r\n")
        .append("Sec-WebSocket-Version: 13\r\n");
    if (origin != null) {
      head.append("Origin: ").append(origin).append("\r\n");
    }
    if (subprotocols.length > 0) {
      head.append("Sec-WebSocket-Protocol: ").append(String.join(", ", subprotocols))
          .append("\r\n");
    }
    return request(socket, key, head.append("\r\n").toString());
  }

  /** Sends an arbitrary HTTP request head and reads the response head. */
  static RawWebSocket request(Socket socket, String key, String head) throws IOException {
    RawWebSocket client = new RawWebSocket(socket, key);
    client.out.write(head.getBytes(StandardCharsets.ISO_8859_1));
    client.out.flush();
    client.readResponseHead();
    return client;
  }

  private void readResponseHead() throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
      head.write(in.readUnsignedByte());
    }
    String[] lines = head.toString(StandardCharsets.ISO_8859_1).split("\r\n");
    status = Integer.parseInt(lines[0].split(" ")[1]);
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
          lines[i].substring(colon + 1).trim());
    }
  }

  /** @return the HTTP status of the response */
  int status() {
    return status;
  }

  /** @return a response header by case-insensitive name, {@code null} when absent */
  String header(String name) {
    return headers.get(name.toLowerCase(Locale.ROOT));
  }

  /** @return the {@code Sec-WebSocket-Accept} value RFC 6455 section 4.2.2 requires for the key */
  String expectedAccept() {
    try {
      byte[] sha1 = MessageDigest.getInstance("SHA-1")
          .digest((key + ACCEPT_GUID).getBytes(StandardCharsets.ISO_8859_1));
      return Base64.getEncoder().encodeToString(sha1);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  Socket socket() {
    return socket;
  }

  /** Sends one masked frame, as a client must (RFC 6455 section 5.3). */
  void send(int opcode, boolean fin, byte[] payload) throws IOException {
    ByteArrayOutputStream frame = new ByteArrayOutputStream(payload.length + 14);
    frame.write((fin ? 0x80 : 0) | opcode);
    if (payload.length < 126) {
      frame.write(0x80 | payload.length);
    } else if (payload.length <= 0xFFFF) {
      frame.write(0x80 | 126);
      frame.write(payload.length >>> 8);
      frame.write(payload.length);
    } else {
      frame.write(0x80 | 127);
      frame.writeBytes(ByteBuffer.allocate(8).putLong(payload.length).array());
    }
    byte[] mask = new byte[4];
    masks.nextBytes(mask);
    frame.writeBytes(mask);
    for (int i = 0; i < payload.length; i++) {
      frame.write(payload[i] ^ mask[i & 3]);
    }
    out.write(frame.toByteArray());
    out.flush();
  }

  /** Sends each chunk as one final binary frame. */
  void sendBinary(byte[]... frames) throws IOException {
    for (byte[] payload : frames) {
      send(BINARY, true, payload);
    }
  }

  /** Encodes the packets and sends them together in one binary frame. */
  void sendPackets(ProtocolVersion version, Packet... packets) throws IOException {
    sendBinary(encode(version, packets));
  }

  static byte[] encode(ProtocolVersion version, Packet... packets) {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    for (Packet packet : packets) {
      ByteBuffer encoded = MqttEncoder.encode(packet, version);
      byte[] bytes = new byte[encoded.remaining()];
      encoded.get(bytes);
      all.writeBytes(bytes);
    }
    return all.toByteArray();
  }

  /** Reads the next server frame, whatever its type. */
  Frame readFrame() throws IOException {
    int first = in.readUnsignedByte();
    int second = in.readUnsignedByte();
    long length = second & 0x7F;
    if (length == 126) {
      length = in.readUnsignedShort();
    } else if (length == 127) {
      length = in.readLong();
    }
    boolean masked = (second & 0x80) != 0;
    byte[] mask = new byte[4];
    if (masked) {
      in.readFully(mask);
    }
    byte[] payload = new byte[Math.toIntExact(length)];
    in.readFully(payload);
    for (int i = 0; masked && i < payload.length; i++) {
      payload[i] ^= mask[i & 3];
    }
    return new Frame(first & 0x0F, (first & 0x80) != 0, masked, payload);
  }

  /** Sets the protocol version the MQTT reader decodes, as fixed by the CONNECT sent. */
  void decodeAs(ProtocolVersion version) {
    mqtt = new DecoderContext(version, DecoderContext.MAX_PACKET_SIZE, false);
  }

  /**
   * Reads the next MQTT packet from the content of binary and continuation frames, which is one
   * byte stream: a packet may end in a later frame than it began, and one frame may hold several.
   *
   * @throws IOException when another frame (a Close) comes first, naming it
   */
  Received readPacket() throws IOException {
    Object next = next();
    if (next instanceof Frame frame) {
      throw new IOException("expected an MQTT packet, got " + frame);
    }
    return (Received) next;
  }

  /** @return the next packet, which must be of the given type */
  <T extends Packet> T read(Class<T> type) throws IOException {
    Packet packet = readPacket().packet();
    if (!type.isInstance(packet)) {
      throw new IOException("expected " + type.getSimpleName() + ", got " + packet);
    }
    return type.cast(packet);
  }

  /** What came before the first frame that is neither binary nor continuation, and that frame. */
  record Ending(List<Packet> packets, Frame frame) {
  }

  /** Reads packets up to the first control or text frame, e.g. the server's Close. */
  Ending readUntilControlFrame() throws IOException {
    List<Packet> packets = new ArrayList<>();
    Object next;
    while ((next = next()) instanceof Received received) {
      packets.add(received.packet());
    }
    return new Ending(packets, (Frame) next);
  }

  /** @return the next whole packet as {@link Received}, or the next non-data {@link Frame} */
  private Object next() throws IOException {
    while (true) {
      try {
        Packet packet = MqttDecoder.decode(stream, mqtt);
        if (packet != null) {
          return new Received(packet, binaryFrames);
        }
      } catch (MalformedPacketException e) {
        throw new IOException("server sent a malformed packet", e);
      }
      Frame frame = readFrame();
      if (frame.opcode() != BINARY && frame.opcode() != CONTINUATION) {
        return frame;
      }
      binaryFrames++;
      ByteBuffer grown = ByteBuffer.allocate(stream.remaining() + frame.payload().length);
      stream = grown.put(stream).put(frame.payload()).flip();
    }
  }

  /** @return MQTT bytes received that do not make a whole packet yet */
  int undecodedBytes() {
    return stream.remaining();
  }

  /**
   * @return whether the server closed the TCP connection: the next read sees the end of the
   *     stream (a reset counts too), within the read timeout
   */
  boolean endOfStream() throws IOException {
    try {
      return in.read() == -1;
    } catch (SocketException reset) {
      return true;
    }
  }

  /** Sends bytes as they are, e.g. a frame the client is not allowed to send. */
  void sendRaw(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  /** @return everything the server sends until it closes the connection, e.g. a response body */
  byte[] readToEnd() throws IOException {
    return in.readAllBytes();
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
