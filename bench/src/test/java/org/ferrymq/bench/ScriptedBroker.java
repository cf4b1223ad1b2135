package org.ferrymq.bench;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongPredicate;

/**
 * A minimal MQTT 3.1.1 broker over TCP that misbehaves on purpose, to check the generator's
 * delivery accounting: every PUBLISH goes to every subscriber (no topic matching; one flow per
 * test), and per message number (the publisher's own count, from the payload) the script decides
 * whether the broker acknowledges it, and how many copies each subscriber gets.
 *
 * <p>It listens on two ports, {@link #port()} and {@link #otherPort()}, which stand for two
 * nodes of one cluster: clients of either get the messages of both. {@link #visibleAfter} delays
 * when a subscription takes effect after its SUBACK, as a cluster's eventually consistent filter
 * directory does on the other nodes.
 *
 * <p>One thread per connection; writes to a subscriber are synchronized on its connection.
 */
final class ScriptedBroker implements AutoCloseable {
  /** Decides the fate of each message. */
  interface Script {
    /** @return whether the broker sends PUBACK / PUBREC for message {@code number} */
    boolean acknowledges(long number);

    /** @return how many copies subscriber {@code subscriber} (0, 1, ... by SUBSCRIBE order) gets */
    int copies(long number, int subscriber);
  }

  /** Acknowledges and forwards everything once. */
  static final Script FAITHFUL = new Script() {
    @Override
    public boolean acknowledges(long number) {
      return true;
    }

    @Override
    public int copies(long number, int subscriber) {
      return 1;
    }
  };

  private final ServerSocket server;
  private final ServerSocket other;
  private final Script script;
  private final List<Connection> subscribers = new CopyOnWriteArrayList<>();
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private volatile long visibleAfterNanos;

  ScriptedBroker(Script script) throws IOException {
    this.script = script;
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    this.other = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    for (ServerSocket s : List.of(server, other)) {
      Thread acceptor = new Thread(() -> accept(s), "scripted-broker-accept");
      acceptor.setDaemon(true);
      acceptor.start();
    }
  }

  /** Subscriptions take effect {@code millis} after the broker takes their SUBSCRIBE. */
  ScriptedBroker visibleAfter(long millis) {
    visibleAfterNanos = millis * 1_000_000L;
    return this;
  }

  /** Acknowledges every message and forwards it once, except those {@code selected}. */
  static Script except(LongPredicate selected, boolean acknowledge, int copies,
      int onlySubscriber) {
    return new Script() {
      @Override
      public boolean acknowledges(long number) {
        return acknowledge || !selected.test(number);
      }

      @Override
      public int copies(long number, int subscriber) {
        boolean affected = onlySubscriber < 0 || subscriber == onlySubscriber;
        return affected && selected.test(number) ? copies : 1;
      }
    };
  }

  int port() {
    return server.getLocalPort();
  }

  /** @return the second listener's port: "another node" of the same broker */
  int otherPort() {
    return other.getLocalPort();
  }

  private void accept(ServerSocket listener) {
    try {
      while (true) {
        Socket s = listener.accept();
        s.setTcpNoDelay(true);
        sockets.add(s);
        Connection c = new Connection(s);
        Thread t = new Thread(c::serve, "scripted-broker-conn");
        t.setDaemon(true);
        t.start();
      }
    } catch (IOException closed) {
      // the server socket was closed
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
    other.close();
    for (Socket s : sockets) {
      s.close();
    }
  }

  private final class Connection {
    private final Socket socket;
    private final OutputStream out;
    private int nextPacketId;
    private volatile long subscribedAt;

    Connection(Socket socket) throws IOException {
      this.socket = socket;
      this.out = new BufferedOutputStream(socket.getOutputStream());
    }

    void serve() {
      try (DataInputStream in = new DataInputStream(
          new BufferedInputStream(socket.getInputStream()))) {
        while (true) {
          int first = in.read();
          if (first < 0) {
            return;
          }
          byte[] body = new byte[remainingLength(in)];
          in.readFully(body);
          handle(first, body);
        }
      } catch (IOException gone) {
        // the client disconnected
      }
    }

    private void handle(int first, byte[] body) throws IOException {
      switch (Packets.type(first)) {
        case 1 -> send(new byte[] {0x20, 2, 0, 0}); // CONNECT: CONNACK accepted
        case 8 -> { // SUBSCRIBE: SUBACK granting the requested QoS
          subscribedAt = System.nanoTime();
          subscribers.add(this);
          send(new byte[] {(byte) 0x90, 3, body[0], body[1], body[body.length - 1]});
        }
        case Packets.PUBLISH -> publish(first, body);
        case Packets.PUBREL -> send(ack(Packets.PUBCOMP, Packets.u16(body, 0)));
        case Packets.PUBREC -> send(ack(Packets.PUBREL, Packets.u16(body, 0)));
        case 14 -> socket.close(); // DISCONNECT
        default -> {
          // PUBACK and PUBCOMP from subscribers: nothing to do
        }
      }
    }

    private void publish(int first, byte[] body) throws IOException {
      int qos = Packets.publishQos(first);
      int payload = Packets.publishPayloadOffset(body, 0, qos);
      long number = Publisher.numberOf(Payload.sequence(body, payload));
      if (qos > 0 && script.acknowledges(number)) {
        int type = qos == 1 ? Packets.PUBACK : Packets.PUBREC;
        send(ack(type, Packets.publishPacketId(body, 0)));
      }
      for (int i = 0; i < subscribers.size(); i++) {
        Connection sub = subscribers.get(i);
        if (System.nanoTime() - sub.subscribedAt < visibleAfterNanos) {
          continue;
        }
        for (int copy = script.copies(number, i); copy > 0; copy--) {
          sub.forward(first, body, qos);
        }
      }
    }

    /** Sends a received PUBLISH on with this connection's own packet identifier. */
    private synchronized void forward(int first, byte[] body, int qos) throws IOException {
      if (qos > 0) {
        nextPacketId = nextPacketId == 0xFFFF ? 1 : nextPacketId + 1;
        int at = 2 + Packets.u16(body, 0);
        body = body.clone();
        body[at] = (byte) (nextPacketId >>> 8);
        body[at + 1] = (byte) nextPacketId;
      }
      out.write(first & 0xF6); // no DUP, no RETAIN
      int n = body.length;
      do {
        int b = n & 0x7F;
        n >>>= 7;
        out.write(n > 0 ? b | 0x80 : b);
      } while (n > 0);
      out.write(body);
      out.flush();
    }

    private synchronized void send(byte[] packet) throws IOException {
      out.write(packet);
      out.flush();
    }
  }

  private static byte[] ack(int type, int packetId) {
    byte[] b = new byte[4];
    Packets.writeAck(type, packetId, b, 0);
    return b;
  }

  private static int remainingLength(InputStream in) throws IOException {
    int value = 0;
    for (int shift = 0; shift <= 21; shift += 7) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("connection closed in a fixed header");
      }
      value |= (b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        return value;
      }
    }
    throw new IOException("malformed Remaining Length");
  }
}
