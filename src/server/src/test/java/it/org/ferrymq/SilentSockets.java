package it.org.ferrymq;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Many sockets to several ports, driven by one selector: each connects, optionally sends a
 * prefix, then stays silent; the server's closes are timed. A socket counts as closed on EOF
 * or reset.
 */
final class SilentSockets implements AutoCloseable {
  private final Selector selector = Selector.open();
  private final Map<String, Listener> listeners = new HashMap<>();
  private final long openedAtNanos = System.nanoTime();

  /** What became of the sockets to one port. */
  static final class Listener {
    final String name;
    int opened;
    int closed;
    long lastCloseNanos;
    long firstCloseNanos = Long.MAX_VALUE;

    Listener(String name) {
      this.name = name;
    }
  }

  private record Attachment(Listener listener, ByteBuffer prefix) {
  }

  SilentSockets() throws IOException {
  }

  /** Opens {@code count} sockets to {@code port}; each sends {@code prefix} (may be empty). */
  void open(String name, int port, int count, byte[] prefix) throws IOException {
    Listener l = listeners.computeIfAbsent(name, Listener::new);
    for (int i = 0; i < count; i++) {
      SocketChannel ch = SocketChannel.open();
      ch.configureBlocking(false);
      ch.connect(new InetSocketAddress("localhost", port));
      ch.register(selector, SelectionKey.OP_CONNECT,
          new Attachment(l, ByteBuffer.wrap(prefix)));
      l.opened++;
    }
  }

  /**
   * Runs until every socket was closed by the server or the deadline passed.
   *
   * @return per listener name, what happened
   */
  Map<String, Listener> awaitClosed(long deadlineMillis) throws IOException {
    long deadline = System.nanoTime() + deadlineMillis * 1_000_000L;
    ByteBuffer sink = ByteBuffer.allocate(4096);
    while (!selector.keys().isEmpty() && System.nanoTime() < deadline) {
      selector.select(200);
      for (SelectionKey key : new ArrayList<>(selector.selectedKeys())) {
        selector.selectedKeys().remove(key);
        Attachment a = (Attachment) key.attachment();
        SocketChannel ch = (SocketChannel) key.channel();
        try {
          if (key.isConnectable()) {
            ch.finishConnect();
            ch.write(a.prefix());
            key.interestOps(SelectionKey.OP_READ);
          } else if (key.isReadable()) {
            sink.clear();
            if (ch.read(sink) < 0) {
              closed(key, a.listener());
            }
          }
        } catch (IOException e) {
          closed(key, a.listener());
        }
      }
    }
    return listeners;
  }

  private void closed(SelectionKey key, Listener l) throws IOException {
    key.cancel();
    key.channel().close();
    long now = System.nanoTime() - openedAtNanos;
    l.closed++;
    l.lastCloseNanos = Math.max(l.lastCloseNanos, now);
    l.firstCloseNanos = Math.min(l.firstCloseNanos, now);
  }

  /** @return a line per listener for the test report */
  static String describe(Iterable<Listener> all) {
    List<String> lines = new ArrayList<>();
    for (Listener l : all) {
      lines.add(String.format("%s: %d of %d closed, first after %.1f s, last after %.1f s",
          l.name, l.closed, l.opened, l.firstCloseNanos == Long.MAX_VALUE ? -1.0
              : l.firstCloseNanos / 1e9, l.lastCloseNanos / 1e9));
    }
    return String.join("\n", lines);
  }

  @Override
  public void close() throws IOException {
    for (SelectionKey key : selector.keys()) {
      key.channel().close();
    }
    selector.close();
  }
}
