package it.org.ferrymq;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.ferrymq.codec.DecoderContext;
import org.ferrymq.codec.MalformedPacketException;
import org.ferrymq.codec.MqttDecoder;
import org.ferrymq.codec.MqttEncoder;
import org.ferrymq.packet.Packet;
import org.ferrymq.packet.ProtocolVersion;

/**
 * A raw MQTT client over one socket, built on the broker's own codec; the kill -9 crash tests
 * use it too.
 */
public final class MqttProbe implements AutoCloseable {

  private final Socket socket;
  private final ProtocolVersion version;
  private ByteBuffer buffered = ByteBuffer.allocate(0);

  public MqttProbe(Socket socket, ProtocolVersion version) throws IOException {
    this.socket = socket;
    this.version = version;
    socket.setSoTimeout(15_000);
  }

  public void send(Packet packet) throws IOException {
    ByteBuffer bytes = MqttEncoder.encode(packet, version);
    byte[] out = new byte[bytes.remaining()];
    bytes.get(out);
    socket.getOutputStream().write(out);
  }

  /** @return the next packet from the server, or null when it closed the connection */
  public Packet receive() throws IOException {
    InputStream in = socket.getInputStream();
    DecoderContext ctx = new DecoderContext(version, 268_435_460, false);
    while (true) {
      try {
        ByteBuffer view = buffered.duplicate();
        Packet packet = MqttDecoder.decode(view, ctx);
        if (packet != null) {
          buffered = view.slice();
          return packet;
        }
      } catch (MalformedPacketException e) {
        throw new IOException("server sent a malformed packet: " + e.getMessage(), e);
      }
      byte[] chunk = new byte[4096];
      int n = in.read(chunk);
      if (n < 0) {
        return null;
      }
      ByteBuffer joined = ByteBuffer.allocate(buffered.remaining() + n);
      joined.put(buffered).put(Arrays.copyOf(chunk, n)).flip();
      buffered = joined;
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
