package org.ferrymq.transport.netty;

import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.ferrymq.transport.ConnectionAcceptor;
import org.ferrymq.transport.InboundHandler;
import org.ferrymq.transport.Transport;

/** A stand-in engine that records every callback and, unless told otherwise, echoes the bytes. */
final class EchoAcceptor implements ConnectionAcceptor {

  final List<Connection> connections = new CopyOnWriteArrayList<>();
  volatile boolean echo = true;
  volatile RuntimeException failOnBytes;
  /** Pause reading while accepting, on the event loop, so that no byte is read from then on. */
  volatile boolean pauseOnAccept;

  @Override
  public InboundHandler accept(Transport transport) {
    if (pauseOnAccept) {
      transport.setReadingPaused(true);
    }
    Connection connection = new Connection(transport);
    connections.add(connection);
    return connection;
  }

  /** @return the connection accepted as number {@code index}, once it exists */
  Connection connection(int index) {
    await().until(() -> connections.size() > index);
    return connections.get(index);
  }

  /** Everything the server reported for one connection. */
  final class Connection implements InboundHandler {

    final Transport transport;
    final AtomicInteger closed = new AtomicInteger();
    final AtomicInteger writable = new AtomicInteger();
    final AtomicInteger unwritable = new AtomicInteger();
    private final ByteArrayOutputStream received = new ByteArrayOutputStream();

    Connection(Transport transport) {
      this.transport = transport;
    }

    @Override
    public void onBytes(ByteBuffer data) {
      byte[] copy = new byte[data.remaining()];
      data.get(copy);
      synchronized (received) {
        received.writeBytes(copy);
      }
      RuntimeException failure = failOnBytes;
      if (failure != null) {
        throw failure;
      }
      if (echo) {
        transport.send(ByteBuffer.wrap(copy));
        transport.flush();
      }
    }

    @Override
    public void onWritable() {
      writable.incrementAndGet();
    }

    @Override
    public void onUnwritable() {
      unwritable.incrementAndGet();
    }

    @Override
    public void onClosed() {
      closed.incrementAndGet();
    }

    byte[] received() {
      synchronized (received) {
        return received.toByteArray();
      }
    }

    int receivedCount() {
      synchronized (received) {
        return received.size();
      }
    }
  }
}
