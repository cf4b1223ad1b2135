package org.ferrymq.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * MQTT over WebSocket (subprotocol {@code mqtt}) with {@link java.net.http.WebSocket}: each
 * {@link #write} is one binary frame that may hold several packets; received frames are queued
 * for the blocking {@link #read}.
 */
final class WebSocketWire implements Wire {
  private static final byte[] END = new byte[0];
  private static final long SEND_TIMEOUT_SECONDS = 30;
  private static volatile HttpClient plainClient;
  private static volatile HttpClient tlsClient;

  private final LinkedBlockingQueue<byte[]> frames = new LinkedBlockingQueue<>();
  private final WebSocket socket;
  private byte[] current = new byte[0];
  private int currentPos;

  private WebSocketWire(URI uri, boolean tls) throws IOException {
    try {
      socket = client(tls).newWebSocketBuilder()
          .subprotocols("mqtt")
          .connectTimeout(Duration.ofSeconds(5))
          .buildAsync(uri, new Receiver())
          .get(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while opening " + uri, e);
    } catch (java.util.concurrent.ExecutionException | TimeoutException e) {
      throw new IOException("WebSocket handshake with " + uri + " failed: " + e.getMessage(), e);
    }
  }

  static WebSocketWire open(String host, int port, String path, boolean tls) throws IOException {
    return new WebSocketWire(URI.create((tls ? "wss://" : "ws://") + host + ":" + port + path),
        tls);
  }

  private static HttpClient client(boolean tls) {
    synchronized (WebSocketWire.class) {
      if (tls) {
        if (tlsClient == null) {
          tlsClient = HttpClient.newBuilder().sslContext(TrustAll.context()).build();
        }
        return tlsClient;
      }
      if (plainClient == null) {
        plainClient = HttpClient.newHttpClient();
      }
      return plainClient;
    }
  }

  @Override
  public void write(byte[] bytes, int off, int len) throws IOException {
    byte[] copy = java.util.Arrays.copyOfRange(bytes, off, off + len);
    try {
      socket.sendBinary(ByteBuffer.wrap(copy), true).get(SEND_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while sending", e);
    } catch (java.util.concurrent.ExecutionException | CompletionException
        | TimeoutException e) {
      throw new IOException("WebSocket send failed: " + e.getMessage(), e);
    }
  }

  @Override
  public int read(byte[] into, int off, int len) throws IOException {
    if (currentPos == current.length) {
      try {
        current = frames.take();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while reading", e);
      }
      currentPos = 0;
      if (current == END) {
        frames.add(END);
        return -1;
      }
    }
    int n = Math.min(len, current.length - currentPos);
    System.arraycopy(current, currentPos, into, off, n);
    currentPos += n;
    return n;
  }

  @Override
  public void close() {
    socket.abort();
    frames.add(END);
  }

  private final class Receiver implements WebSocket.Listener {
    @Override
    public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
      byte[] bytes = new byte[data.remaining()];
      data.get(bytes);
      if (bytes.length > 0) {
        frames.add(bytes);
      }
      webSocket.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
      frames.add(END);
      return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
      frames.add(END);
    }
  }
}
