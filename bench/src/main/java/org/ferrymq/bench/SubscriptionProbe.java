package org.ferrymq.bench;

import java.io.IOException;
import java.util.List;
import org.ferrymq.packet.QoS;

/**
 * Makes sure a flow's subscriptions are in effect where its publishers publish before the flow
 * starts. With subscribers on another node of a cluster, a SUBACK says only that the
 * subscriber's node has the subscription; the publishers' node learns of it a little later
 * (FerryMQ's filter directory is eventually consistent, docs/cluster.md), and a message it takes
 * meanwhile reaches nobody. So a client on the publishers' broker publishes probes at QoS 0 on a
 * topic the subscribers' filter matches, one every {@value #INTERVAL_MILLIS} ms, until every
 * subscriber has received one. A probe carries the publisher number {@link #INDEX}, which no
 * flow uses, so subscribers never count it.
 */
final class SubscriptionProbe {
  /** Publisher number of the probes (flows number their publishers from 0, far below it). */
  static final int INDEX = 0xFFFF;
  private static final long INTERVAL_MILLIS = 20;
  private static final int BUFFER = 1024;

  private SubscriptionProbe() {
  }

  /**
   * Publishes probes on {@code publishers} until each subscriber received one.
   *
   * @param clientId the probing client's id (a client of its own, disconnected afterwards)
   * @param topic a topic every subscriber's filter matches
   * @param timeoutMillis the longest wait
   * @return how long it took, in milliseconds
   * @throws IOException when a subscriber got no probe within {@code timeoutMillis}
   */
  static long await(Endpoint publishers, String clientId, String topic,
      List<Subscriber> subscribers, long timeoutMillis) throws IOException, InterruptedException {
    long start = System.nanoTime();
    long deadline = start + timeoutMillis * 1_000_000L;
    try (BenchClient c = BenchClient.connect(publishers, clientId, true, null, BUFFER)) {
      PublishTemplate probe = new PublishTemplate(topic, QoS.AT_MOST_ONCE, Payload.HEADER);
      long n = 0;
      for (Subscriber s : subscribers) {
        while (!s.awaitProbe(n == 0 ? 0 : INTERVAL_MILLIS)) {
          if (System.nanoTime() > deadline) {
            throw new IOException("subscriptions not in effect on " + publishers.host() + ":"
                + publishers.port() + " after " + timeoutMillis + " ms: no probe on " + topic
                + " arrived");
          }
          probe.set(0, System.nanoTime(), (long) INDEX << 48 | n++);
          c.send(probe.bytes, 0, probe.bytes.length);
          c.flush();
        }
      }
    }
    return (System.nanoTime() - start) / 1_000_000L;
  }
}
