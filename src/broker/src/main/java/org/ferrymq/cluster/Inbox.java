package org.ferrymq.cluster;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import org.ferrymq.engine.ClusterPort;
import org.ferrymq.message.Message;
import org.ferrymq.persistence.common.RecordFormatException;

/**
 * Takes the batches peers forward to this node ({@link ForwardedBatch} runs here) and answers
 * only once this node's subscribers have taken every message: that answer releases the
 * publishers' acknowledgements on the origin node, so a congested subscriber here holds them
 * back there. Thread-safe.
 */
final class Inbox {
  /** A message of the batch that a delivery here failed for. */
  static final byte FAILED = 0;
  /** A message of the batch every receiver here took. */
  static final byte TAKEN = 1;

  private final long timeoutMillis;
  private final LongAdder received = new LongAdder();
  private volatile ClusterPort port;

  Inbox(int timeoutSeconds) {
    this.timeoutMillis = TimeUnit.SECONDS.toMillis(timeoutSeconds);
  }

  void attach(ClusterPort value) {
    this.port = value;
  }

  /**
   * Routes a forwarded batch here, in its order, and waits until each message is taken.
   *
   * @return per message, {@link #TAKEN} or {@link #FAILED}
   * @throws TimeoutException when the subscribers here did not take the batch in time (the
   *     origin reports it failed to its publishers)
   */
  byte[] take(byte[] batch) throws RecordFormatException, InterruptedException,
      TimeoutException {
    ClusterPort target = port;
    if (target == null) {
      throw new IllegalStateException("this node's broker is not attached yet");
    }
    List<Message> messages = BatchCodec.decode(batch);
    byte[] outcome = new byte[messages.size()];
    CountDownLatch taken = new CountDownLatch(messages.size());
    for (int i = 0; i < messages.size(); i++) {
      int index = i;
      try {
        target.routeFromPeer(messages.get(i), receivers -> {
          outcome[index] = receivers < 0 ? FAILED : TAKEN;
          taken.countDown();
        });
      } catch (IllegalStateException stopped) {
        // stopping: its clients are disconnected, as when the member has left
        throw new NodeStoppingException();
      }
    }
    if (!taken.await(timeoutMillis, TimeUnit.MILLISECONDS)) {
      throw new TimeoutException("subscribers on this node took no forwarded message for "
          + timeoutMillis / 1000 + " s (mqtt.cluster.forward-timeout)");
    }
    received.add(messages.size());
    return outcome;
  }

  /** @return messages forwarded here and taken so far */
  long received() {
    return received.sum();
  }
}
