package org.ferrymq.bench;

import java.io.IOException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.ferrymq.packet.QoS;

/**
 * A publishing thread: sends as fast as the broker takes them or at a fixed rate, until stopped,
 * out of time or out of messages. QoS 0 goes out in batches of {@value #BATCH} per write. QoS 1
 * and 2 keep at most {@code window} messages unacknowledged and, in a closed loop, also at most
 * {@code window} messages not yet received by the subscriber: then the result is the rate the
 * broker sustains end to end, not how fast it can fill and drop its queues.
 */
final class Publisher implements BenchClient.Handler {
  private static final int BATCH = 32;

  private final BenchClient client;
  private final PublishTemplate template;
  private final QoS qos;
  private final Semaphore window;
  private final Semaphore undelivered;
  private final int windowSize;
  private final long sequenceBase;
  private final long ratePerSecond;
  private final Thread thread;
  private volatile boolean stopped;
  private volatile long sent;
  private volatile String failure;

  /**
   * @param index publisher number, carried in the payload's sequence for the subscriber
   * @param closedLoop whether to wait for the subscriber's receipt too ({@link #delivered()})
   * @param ratePerSecond messages per second, 0 for as fast as possible
   * @param maxMessages stop after this many
   * @param deadlineNanos stop at this {@link System#nanoTime()}
   */
  Publisher(BenchClient client, int index, String topic, QoS qos, int payloadSize, int window,
      boolean closedLoop, long ratePerSecond, long maxMessages, long deadlineNanos) {
    this.client = client;
    this.sequenceBase = (long) index << 48;
    this.undelivered = closedLoop ? new Semaphore(window) : null;
    this.template = new PublishTemplate(topic, qos, payloadSize);
    this.qos = qos;
    this.windowSize = window;
    this.window = new Semaphore(window);
    this.ratePerSecond = ratePerSecond;
    client.startReader(this);
    thread = new Thread(() -> run(maxMessages, deadlineNanos), "bench-pub-" + client.clientId);
    thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  void stop() {
    stopped = true;
  }

  boolean isDone() {
    return !thread.isAlive();
  }

  /** @return the publisher number encoded in a payload sequence */
  static int indexOf(long sequence) {
    return (int) (sequence >>> 48);
  }

  /** Called by the subscriber for each of this publisher's messages it received. */
  void delivered() {
    if (undelivered != null) {
      undelivered.release();
    }
  }

  long sent() {
    return sent;
  }

  String failure() {
    return failure;
  }

  /** Waits until every QoS 1/2 message is acknowledged, at most {@code millis}. */
  boolean awaitAcknowledged(long millis) throws InterruptedException {
    thread.join(millis);
    if (qos == QoS.AT_MOST_ONCE) {
      return true;
    }
    if (window.tryAcquire(windowSize, millis, TimeUnit.MILLISECONDS)) {
      window.release(windowSize);
      return true;
    }
    return false;
  }

  @Override
  public void packet(BenchClient c, int firstByte, byte[] buf, int off, int len)
      throws IOException {
    switch (Packets.type(firstByte)) {
      case Packets.PUBACK, Packets.PUBCOMP -> window.release();
      case Packets.PUBREC -> c.sendAck(Packets.PUBREL, Packets.u16(buf, off));
      default -> {
        // nothing else is expected by a publisher
      }
    }
  }

  private void run(long maxMessages, long deadlineNanos) {
    long n = 0;
    int packetId = 0;
    int credits = 0;
    boolean windowed = qos != QoS.AT_MOST_ONCE || undelivered != null;
    long start = System.nanoTime();
    long interval = ratePerSecond > 0 ? 1_000_000_000L / ratePerSecond : 0;
    try {
      while (!stopped && n < maxMessages && System.nanoTime() < deadlineNanos) {
        if (interval > 0) {
          waitUntil(start + n * interval);
        }
        int batch = interval > 0 ? 1 : (int) Math.min(BATCH, maxMessages - n);
        for (int i = 0; i < batch; i++) {
          if (windowed && credits == 0) {
            client.flush();
            credits = takeCredits();
            if (credits == 0) {
              break;
            }
          }
          credits--;
          packetId = packetId == 0xFFFF ? 1 : packetId + 1;
          template.set(packetId, System.nanoTime(), sequenceBase | n);
          client.send(template.bytes, 0, template.bytes.length);
          n++;
        }
        client.flush();
        sent = n;
      }
    } catch (IOException e) {
      failure = client.clientId + ": " + e.getMessage();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (windowed && credits > 0) {
      release(credits);
    }
    sent = n;
  }

  /**
   * Waits up to 100 ms for a quarter of the window (fewer wake-ups than one message at a time)
   * and takes whatever more is free.
   *
   * @return messages that may be sent now, 0 on timeout
   */
  private int takeCredits() throws InterruptedException {
    int want = Math.max(1, windowSize / 4);
    int got = take(qos == QoS.AT_MOST_ONCE ? null : window, want);
    if (got == 0) {
      return 0;
    }
    int delivered = take(undelivered, want);
    if (delivered == 0) {
      if (qos != QoS.AT_MOST_ONCE) {
        window.release(got);
      }
      return 0;
    }
    int usable = Math.min(got, delivered);
    if (qos != QoS.AT_MOST_ONCE && got > usable) {
      window.release(got - usable);
    }
    if (undelivered != null && delivered > usable) {
      undelivered.release(delivered - usable);
    }
    return usable;
  }

  private static int take(Semaphore s, int want) throws InterruptedException {
    if (s == null) {
      return Integer.MAX_VALUE;
    }
    if (!s.tryAcquire(want, 100, TimeUnit.MILLISECONDS)) {
      return 0;
    }
    return want + s.drainPermits();
  }

  private void release(int credits) {
    if (qos != QoS.AT_MOST_ONCE) {
      window.release(credits);
    }
    if (undelivered != null) {
      undelivered.release(credits);
    }
  }

  private static void waitUntil(long nanoTime) {
    long wait;
    while ((wait = nanoTime - System.nanoTime()) > 0) {
      if (wait > 100_000) {
        LockSupport.parkNanos(wait - 50_000);
      } else {
        Thread.onSpinWait();
      }
    }
  }
}
