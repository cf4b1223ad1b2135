package org.ferrymq.bench;

import java.io.IOException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;
import org.ferrymq.packet.QoS;

/**
 * A publishing thread: sends as fast as the broker takes them or at a fixed rate, until stopped,
 * out of time or out of messages. Messages go out in batches of up to {@value #BATCH} per write.
 *
 * <p>In a closed loop (the default of every throughput scenario) at most {@code window}
 * messages may be sent but not yet received by the subscriber, so the result is the rate the
 * broker sustains end to end, not how fast it can accept and then drop. A QoS 0 message the
 * broker dropped never comes back: when nothing arrives for {@value #STALL_MILLIS} ms the
 * outstanding messages are written off (they count as lost). QoS 1 and 2 also keep at most
 * {@code window} messages unacknowledged.
 *
 * <p>For QoS 1 and 2 it records which messages the broker acknowledged (PUBACK, or PUBREC for
 * QoS 2, with a success code) by their message number, for {@link Delivery}: the packet
 * identifier of each message in flight maps to its number until the acknowledgement.
 */
final class Publisher implements BenchClient.Handler {
  private static final int BATCH = 32;
  private static final long STALL_MILLIS = 100;
  /** Packet identifiers run 1..65535; with at most that many in flight each is one message. */
  static final int MAX_WINDOW = 0xFFFF;
  /** MQTT 5 reason codes from 0x80 are failures; MQTT 3.1.1 acknowledgements carry none. */
  private static final int FIRST_FAILURE_CODE = 0x80;

  private final BenchClient client;
  private final PublishTemplate template;
  private final QoS qos;
  private final Semaphore unacknowledged;
  private final int windowSize;
  private final boolean closedLoop;
  private final long sequenceBase;
  private final long ratePerSecond;
  private final Thread thread;
  private final AtomicLong delivered = new AtomicLong();
  /** Per packet identifier, 1 + the sequence number of the message in flight with it, or 0. */
  private final AtomicLongArray inFlight = new AtomicLongArray(MAX_WINDOW + 1);
  private final SequenceSet acknowledged = new SequenceSet();
  private volatile boolean waiting;
  private volatile boolean stopped;
  private volatile long sent;
  private volatile String failure;

  /**
   * @param index publisher number, carried in the payload's sequence for the subscriber
   * @param closedLoop whether to wait for the subscriber's receipts ({@link #delivered()})
   * @param ratePerSecond messages per second, 0 for as fast as possible
   * @param maxMessages stop after this many
   * @param deadlineNanos stop at this {@link System#nanoTime()}
   */
  Publisher(BenchClient client, int index, String topic, QoS qos, int payloadSize, int window,
      boolean closedLoop, long ratePerSecond, long maxMessages, long deadlineNanos) {
    if (window > MAX_WINDOW) {
      throw new IllegalArgumentException("window above " + MAX_WINDOW + ": " + window);
    }
    this.client = client;
    this.sequenceBase = (long) index << 48;
    this.closedLoop = closedLoop;
    this.template = new PublishTemplate(topic, qos, payloadSize);
    this.qos = qos;
    this.windowSize = window;
    this.unacknowledged = new Semaphore(window);
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

  /** @return the publisher's own message number encoded in a payload sequence */
  static long numberOf(long sequence) {
    return sequence & 0xFFFF_FFFF_FFFFL;
  }

  /** Called by the subscriber's reader for each of this publisher's messages it received. */
  void delivered() {
    delivered.incrementAndGet();
    if (waiting) {
      LockSupport.unpark(thread);
    }
  }

  long sent() {
    return sent;
  }

  String failure() {
    return failure;
  }

  /** @return the message numbers the broker acknowledged (QoS 1 and 2; empty for QoS 0) */
  SequenceSet acknowledged() {
    return acknowledged;
  }

  /** Waits until every QoS 1/2 message is acknowledged, at most {@code millis}. */
  boolean awaitAcknowledged(long millis) throws InterruptedException {
    thread.join(millis);
    if (qos == QoS.AT_MOST_ONCE) {
      return true;
    }
    if (unacknowledged.tryAcquire(windowSize, millis, TimeUnit.MILLISECONDS)) {
      unacknowledged.release(windowSize);
      return true;
    }
    return false;
  }

  @Override
  public void packet(BenchClient c, int firstByte, byte[] buf, int off, int len)
      throws IOException {
    switch (Packets.type(firstByte)) {
      case Packets.PUBACK -> {
        acknowledge(buf, off, len);
        unacknowledged.release();
      }
      case Packets.PUBREC -> {
        if (acknowledge(buf, off, len)) {
          c.sendAck(Packets.PUBREL, Packets.u16(buf, off));
        } else {
          unacknowledged.release(); // a failed PUBREC ends the exchange
        }
      }
      case Packets.PUBCOMP -> unacknowledged.release();
      default -> {
        // nothing else is expected by a publisher
      }
    }
  }

  /**
   * Records the message acknowledged by a PUBACK or PUBREC (on the reader thread).
   *
   * @return false if the reason code is a failure
   */
  private boolean acknowledge(byte[] buf, int off, int len) {
    int packetId = Packets.u16(buf, off);
    long entry = inFlight.getAndSet(packetId, 0);
    if (len > 2 && (buf[off + 2] & 0xFF) >= FIRST_FAILURE_CODE) {
      return false;
    }
    if (entry > 0) {
      acknowledged.add(entry - 1);
    }
    return true;
  }

  private void run(long maxMessages, long deadlineNanos) {
    long n = 0;
    long writtenOff = 0;
    int packetId = 0;
    long start = System.nanoTime();
    long interval = ratePerSecond > 0 ? 1_000_000_000L / ratePerSecond : 0;
    try {
      while (!stopped && n < maxMessages && System.nanoTime() < deadlineNanos) {
        if (interval > 0) {
          waitUntil(start + n * interval);
        }
        int batch = interval > 0 ? 1 : (int) Math.min(BATCH, maxMessages - n);
        if (closedLoop) {
          long free = windowSize - (n - writtenOff - delivered.get());
          if (free < Math.min(batch, Math.max(1, windowSize / 4))) {
            client.flush();
            if (!awaitReceipts(n - writtenOff - windowSize * 3L / 4)) {
              if (qos == QoS.AT_MOST_ONCE) {
                writtenOff = n - delivered.get();
              }
              continue;
            }
            free = windowSize - (n - writtenOff - delivered.get());
          }
          batch = (int) Math.max(0, Math.min(batch, free));
        }
        for (int i = 0; i < batch; i++) {
          if (qos != QoS.AT_MOST_ONCE && !unacknowledged.tryAcquire()) {
            client.flush();
            if (!unacknowledged.tryAcquire(STALL_MILLIS, TimeUnit.MILLISECONDS)) {
              break;
            }
          }
          packetId = packetId == 0xFFFF ? 1 : packetId + 1;
          if (qos != QoS.AT_MOST_ONCE) {
            inFlight.setRelease(packetId, n + 1);
          }
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
    sent = n;
  }

  /**
   * Parks until the subscriber has received at least {@code target} messages of this publisher.
   *
   * @return false when nothing arrived for {@value #STALL_MILLIS} ms, or when stopped
   */
  private boolean awaitReceipts(long target) {
    long last = delivered.get();
    long lastProgress = System.nanoTime();
    waiting = true;
    try {
      while (!stopped) {
        long d = delivered.get();
        if (d >= target) {
          return true;
        }
        if (d != last) {
          last = d;
          lastProgress = System.nanoTime();
        } else if (System.nanoTime() - lastProgress > STALL_MILLIS * 1_000_000L) {
          return false;
        }
        LockSupport.parkNanos(STALL_MILLIS * 1_000_000L / 10);
      }
      return false;
    } finally {
      waiting = false;
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
