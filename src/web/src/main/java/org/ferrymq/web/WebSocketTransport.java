package org.ferrymq.web;

import jakarta.websocket.CloseReason;
import jakarta.websocket.SendResult;
import jakarta.websocket.Session;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.ferrymq.transport.InboundHandler;
import org.ferrymq.transport.Transport;
import org.ferrymq.transport.TransportInfo;
import org.ferrymq.transport.TransportKind;

/**
 * Adapts one WebSocket session to the engine's {@link Transport}: flushed bytes become one binary
 * message (MQTT packets may be packed into a frame; clients reassemble), sent asynchronously with
 * at most one send in flight, since containers reject overlapping asynchronous sends. Everything
 * flushed while a send is in flight goes out as one message when it completes, so a busy
 * connection sends fewer, larger messages instead of queueing one per flush.
 *
 * <p>Thread-safe: the engine sends from its lanes, the container completes sends on its own
 * threads; the outbound state is guarded by the instance monitor and no callback runs while it is
 * held.
 */
final class WebSocketTransport implements Transport {

  static final int HIGH_WATER_MARK = 256 * 1024;
  static final int LOW_WATER_MARK = 128 * 1024;
  /**
   * Bytes a paused connection may still deliver before its container thread is held. A
   * publisher slowed by withheld acknowledgements stops by itself once its in-flight window is
   * full, so it rarely reaches this; without the slack every paused publisher held a thread of
   * Liberty's executor, which then had too few left to complete the sends that end the pause,
   * until its pool controller added threads (stalls of about 1.5 s, docs/performance.md).
   */
  static final int READ_ALLOWANCE_WHILE_PAUSED = 256 * 1024;
  private static final Logger LOG = Logger.getLogger(WebSocketTransport.class.getName());

  private final Session session;
  private final TransportInfo info;
  private final List<ByteBuffer> pending = new ArrayList<>();
  /** Flushed and waiting for the send in flight to complete. */
  private final List<ByteBuffer> ready = new ArrayList<>();
  private InboundHandler handler;
  private long queuedBytes;
  private boolean sending;
  private boolean closing;
  private boolean closed;
  private boolean wasUnwritable;
  /** Guarded by {@link #readGate}: whether the engine asked to stop reading. */
  private boolean readPaused;
  /** Guarded by {@link #readGate}: bytes taken since the engine asked to stop reading. */
  private long readWhilePaused;
  private final Object readGate = new Object();

  WebSocketTransport(Session session, TransportInfo info) {
    this.session = session;
    this.info = info;
  }

  static TransportKind kindOf(Session session) {
    return session.isSecure() ? TransportKind.WSS : TransportKind.WS;
  }

  void handler(InboundHandler value) {
    this.handler = value;
  }

  @Override
  public void send(ByteBuffer bytes) {
    boolean crossedHigh;
    synchronized (this) {
      if (closing || closed) {
        return;
      }
      pending.add(bytes);
      queuedBytes += bytes.remaining();
      crossedHigh = !wasUnwritable && queuedBytes >= HIGH_WATER_MARK;
      if (crossedHigh) {
        wasUnwritable = true;
      }
    }
    if (crossedHigh && handler != null) {
      handler.onUnwritable();
    }
  }

  /**
   * Jakarta WebSocket cannot stop a container from reading, so a paused connection holds the
   * container thread that delivers its messages instead: {@link MqttWebSocketEndpoint} calls
   * {@link #awaitReadable} after each message, which waits, once the connection has used its
   * {@link #READ_ALLOWANCE_WHILE_PAUSED}, until the engine resumes reading or the connection
   * closes; the container reads nothing more from it meanwhile.
   */
  @Override
  public void setReadingPaused(boolean paused) {
    synchronized (readGate) {
      if (paused && !readPaused) {
        readWhilePaused = 0;
      }
      readPaused = paused;
      readGate.notifyAll();
    }
  }

  /**
   * Called by the container thread after it delivered a message: blocks it while reading is
   * paused, the connection is open and its allowance is used up.
   *
   * @param delivered the size of the message just delivered
   */
  void awaitReadable(int delivered) throws InterruptedException {
    synchronized (readGate) {
      if (!readPaused) {
        return;
      }
      readWhilePaused += delivered;
      if (readWhilePaused < READ_ALLOWANCE_WHILE_PAUSED) {
        return;
      }
      while (readPaused && !isEnding()) {
        // Re-checks the close flags now and then: they are guarded by the other monitor
        readGate.wait(200);
      }
    }
  }

  private synchronized boolean isEnding() {
    return closing || closed;
  }

  @Override
  public void flush() {
    ByteBuffer next;
    synchronized (this) {
      if (pending.isEmpty()) {
        return;
      }
      ready.addAll(pending);
      pending.clear();
      next = startNextLocked();
    }
    write(next);
  }

  @Override
  public synchronized boolean isWritable() {
    return queuedBytes < HIGH_WATER_MARK;
  }

  @Override
  public void close() {
    boolean closeNow;
    synchronized (this) {
      if (closing || closed) {
        return;
      }
      closing = true;
      ready.addAll(pending);
      pending.clear();
      closeNow = !sending && ready.isEmpty();
    }
    // A closing connection is read again, so the container sees the peer's Close frame
    setReadingPaused(false);
    if (closeNow) {
      closeSession();
    } else {
      flushReady();
    }
  }

  @Override
  public TransportInfo info() {
    return info;
  }

  @Override
  public void abort() {
    markClosed();
    closeSession();
  }

  /** The session ended; later sends are dropped. */
  void markClosed() {
    synchronized (this) {
      closed = true;
      pending.clear();
      ready.clear();
    }
    setReadingPaused(false);
  }

  private void flushReady() {
    ByteBuffer next;
    synchronized (this) {
      next = startNextLocked();
    }
    write(next);
  }

  private ByteBuffer startNextLocked() {
    if (sending || closed || ready.isEmpty()) {
      return null;
    }
    sending = true;
    ByteBuffer message = concat(ready);
    ready.clear();
    return message;
  }

  private void write(ByteBuffer message) {
    if (message == null) {
      return;
    }
    int size = message.remaining();
    try {
      session.getAsyncRemote().sendBinary(message, result -> completed(size, result));
    } catch (IllegalStateException e) {
      completed(size, new SendResult(e));
    }
  }

  private void completed(int size, SendResult result) {
    ByteBuffer next;
    boolean notifyWritable = false;
    boolean closeNow = false;
    synchronized (this) {
      sending = false;
      queuedBytes -= size;
      if (!result.isOK()) {
        closed = true;
        ready.clear();
        pending.clear();
      }
      if (wasUnwritable && queuedBytes < LOW_WATER_MARK && !closed) {
        wasUnwritable = false;
        notifyWritable = true;
      }
      next = startNextLocked();
      closeNow = next == null && closing && ready.isEmpty() && !closed;
    }
    if (!result.isOK()) {
      LOG.log(Level.FINE, "WebSocket send failed; closing", result.getException());
      closeSession();
      return;
    }
    if (notifyWritable && handler != null) {
      handler.onWritable();
    }
    if (next != null) {
      write(next);
    } else if (closeNow) {
      closeSession();
    }
  }

  private void closeSession() {
    try {
      session.close(new CloseReason(CloseReason.CloseCodes.NORMAL_CLOSURE, ""));
    } catch (IOException e) {
      LOG.log(Level.FINE, "WebSocket close failed", e);
    }
  }

  private static ByteBuffer concat(List<ByteBuffer> buffers) {
    if (buffers.size() == 1) {
      return buffers.get(0);
    }
    int total = 0;
    for (ByteBuffer b : buffers) {
      total += b.remaining();
    }
    ByteBuffer joined = ByteBuffer.allocate(total);
    for (ByteBuffer b : buffers) {
      joined.put(b);
    }
    return joined.flip();
  }
}
