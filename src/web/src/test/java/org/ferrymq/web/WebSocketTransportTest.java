package org.ferrymq.web;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.websocket.CloseReason;
import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.SendHandler;
import jakarta.websocket.SendResult;
import jakarta.websocket.Session;
import java.lang.reflect.Proxy;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.ferrymq.transport.TransportInfo;
import org.ferrymq.transport.TransportKind;
import org.junit.jupiter.api.Test;

/**
 * The WebSocket adapter's outbound rules, against a container stand-in whose asynchronous sends
 * complete only when the test says so: one send in flight, flushed bytes in order, everything
 * flushed meanwhile sent as one message, back-pressure by queued bytes, close after the drain.
 */
class WebSocketTransportTest {

  /** A session whose {@code getAsyncRemote().sendBinary} records the send and its callback. */
  private static final class Container {
    final List<byte[]> sent = new ArrayList<>();
    final List<SendHandler> inFlight = new ArrayList<>();
    CloseReason closedWith;
    final Session session;

    Container() {
      RemoteEndpoint.Async remote = (RemoteEndpoint.Async) Proxy.newProxyInstance(
          getClass().getClassLoader(), new Class<?>[] {RemoteEndpoint.Async.class},
          (proxy, method, args) -> {
            if (method.getName().equals("sendBinary") && args.length == 2) {
              ByteBuffer b = (ByteBuffer) args[0];
              byte[] copy = new byte[b.remaining()];
              b.get(copy);
              sent.add(copy);
              inFlight.add((SendHandler) args[1]);
              return null;
            }
            throw new UnsupportedOperationException(method.getName());
          });
      session = (Session) Proxy.newProxyInstance(getClass().getClassLoader(),
          new Class<?>[] {Session.class}, (proxy, method, args) -> switch (method.getName()) {
            case "getAsyncRemote" -> remote;
            case "isSecure" -> false;
            case "close" -> {
              closedWith = (CloseReason) args[0];
              yield null;
            }
            default -> throw new UnsupportedOperationException(method.getName());
          });
    }

    /** Completes the oldest send in flight, successfully. */
    void complete() {
      inFlight.remove(0).onResult(new SendResult());
    }
  }

  private final Container container = new Container();
  private final WebSocketTransport transport = new WebSocketTransport(container.session,
      new TransportInfo(TransportKind.WS, new InetSocketAddress("127.0.0.1", 40000)));

  @Test
  void aFlushIsOneBinaryMessage() {
    transport.send(bytes(1, 2));
    transport.send(bytes(3));
    assertTrue(container.sent.isEmpty(), "nothing leaves before the flush");

    transport.flush();

    assertEquals(1, container.sent.size());
    assertArrayEquals(new byte[] {1, 2, 3}, container.sent.get(0));
  }

  @Test
  void flushesDuringASendLeaveTogetherWhenItCompletes() {
    transport.send(bytes(1));
    transport.flush();
    for (int i = 2; i <= 4; i++) {
      transport.send(bytes(i));
      transport.flush();
    }
    assertEquals(1, container.sent.size(), "at most one send in flight");

    container.complete();

    assertEquals(2, container.sent.size());
    assertArrayEquals(new byte[] {2, 3, 4}, container.sent.get(1),
        "the three flushes made while the first send was in flight form one message, in order");
    container.complete();
    assertTrue(container.inFlight.isEmpty());
  }

  @Test
  void queuedBytesAboveTheHighWaterMarkMakeItUnwritableUntilBelowTheLowMark() {
    transport.send(ByteBuffer.allocate(WebSocketTransport.HIGH_WATER_MARK));
    transport.flush();
    assertFalse(transport.isWritable());
    int[] writable = {0};
    transport.handler(new org.ferrymq.transport.InboundHandler() {
      @Override
      public void onBytes(ByteBuffer data) {
      }

      @Override
      public void onUnwritable() {
      }

      @Override
      public void onWritable() {
        writable[0]++;
      }

      @Override
      public void onClosed() {
      }
    });

    container.complete();

    assertTrue(transport.isWritable());
    assertEquals(1, writable[0], "onWritable once the queue drained");
  }

  @Test
  void closeWaitsForQueuedMessagesThenClosesNormally() {
    transport.send(bytes(1));
    transport.flush();
    transport.send(bytes(2));
    transport.close();
    assertEquals(null, container.closedWith, "not while a send is in flight");

    container.complete();
    assertArrayEquals(new byte[] {2}, container.sent.get(1), "unflushed bytes still go out");
    container.complete();

    assertEquals(CloseReason.CloseCodes.NORMAL_CLOSURE, container.closedWith.getCloseCode());
    transport.send(bytes(3));
    transport.flush();
    assertEquals(2, container.sent.size(), "nothing is sent after close");
  }

  private static ByteBuffer bytes(int... values) {
    byte[] b = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      b[i] = (byte) values[i];
    }
    return ByteBuffer.wrap(b);
  }

  @Test
  void pausedReadingHoldsTheContainerThreadUntilResumed() throws Exception {
    java.util.concurrent.CompletableFuture<Void> reader = pausedReader();

    // Verify: still waiting while paused
    assertThrows(java.util.concurrent.TimeoutException.class,
        () -> reader.get(300, java.util.concurrent.TimeUnit.MILLISECONDS));
    transport.setReadingPaused(false);
    reader.get(5, java.util.concurrent.TimeUnit.SECONDS);
  }

  @Test
  void closingReleasesAPausedReader() throws Exception {
    java.util.concurrent.CompletableFuture<Void> reader = pausedReader();

    transport.close();

    reader.get(5, java.util.concurrent.TimeUnit.SECONDS);
  }

  @Test
  void crossingTheHighWaterMarkReportsUnwritableOnce() {
    int[] unwritable = {0};
    transport.handler(new org.ferrymq.transport.InboundHandler() {
      @Override
      public void onBytes(ByteBuffer data) {
      }

      @Override
      public void onUnwritable() {
        unwritable[0]++;
      }

      @Override
      public void onWritable() {
      }

      @Override
      public void onClosed() {
      }
    });

    transport.send(ByteBuffer.allocate(WebSocketTransport.HIGH_WATER_MARK));
    transport.send(ByteBuffer.allocate(10));

    assertEquals(1, unwritable[0]);
  }

  @Test
  void aPausedConnectionKeepsTheContainerThreadWithinItsAllowance() throws Exception {
    transport.setReadingPaused(true);
    int message = 1024;
    int withinAllowance = WebSocketTransport.READ_ALLOWANCE_WHILE_PAUSED / message - 1;

    // Exercise: a publisher's in-flight window of messages arrives after the pause
    for (int i = 0; i < withinAllowance; i++) {
      java.util.concurrent.CompletableFuture.runAsync(() -> awaitReadable(message))
          .get(5, java.util.concurrent.TimeUnit.SECONDS);
    }

    // Verify: the message that uses up the allowance holds the thread until the resume
    java.util.concurrent.CompletableFuture<Void> reader =
        java.util.concurrent.CompletableFuture.runAsync(() -> awaitReadable(message));
    assertThrows(java.util.concurrent.TimeoutException.class,
        () -> reader.get(300, java.util.concurrent.TimeUnit.MILLISECONDS));
    transport.setReadingPaused(false);
    reader.get(5, java.util.concurrent.TimeUnit.SECONDS);
    // a new pause starts a new allowance
    transport.setReadingPaused(true);
    java.util.concurrent.CompletableFuture.runAsync(() -> awaitReadable(message))
        .get(5, java.util.concurrent.TimeUnit.SECONDS);
  }

  /** Pauses reading and starts a container thread stand-in past its allowance. */
  private java.util.concurrent.CompletableFuture<Void> pausedReader() {
    transport.setReadingPaused(true);
    return java.util.concurrent.CompletableFuture.runAsync(
        () -> awaitReadable(WebSocketTransport.READ_ALLOWANCE_WHILE_PAUSED));
  }

  private void awaitReadable(int delivered) {
    try {
      transport.awaitReadable(delivered);
    } catch (InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }
}
