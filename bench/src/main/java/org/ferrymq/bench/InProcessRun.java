package org.ferrymq.bench;

import java.io.IOException;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.ferrymq.engine.LocalSubscription;
import org.ferrymq.engine.MqttBroker;
import org.ferrymq.message.Message;
import org.ferrymq.packet.PacketType;
import org.ferrymq.packet.Properties;
import org.ferrymq.packet.Publish;
import org.ferrymq.packet.QoS;
import org.ferrymq.transport.netty.BoundListener;
import org.ferrymq.transport.netty.ListenerSettings;
import org.ferrymq.transport.netty.MqttServer;

/**
 * In-process publishing and delivery against network clients on one embedded engine (issue
 * 17, docs/performance.md): QoS 1 messages from one publisher to one consumer, in the four
 * combinations of an in-process side ({@code MqttBroker.publish}; a durable in-process session
 * that acknowledges each message at once, as the adapter does when {@code onMessage} returned)
 * and a TCP side (this generator's lean client on loopback, publishing with a window of
 * unacknowledged messages; a subscriber that sends PUBACK for each message). Prints one {@code
 * RESULT} line per path. Run with {@code java -cp bench/target/ferrymq-bench.jar
 * org.ferrymq.bench.InProcessRun [messages] [window]}.
 */
public final class InProcessRun {
  private static final byte[] PAYLOAD = new byte[64];

  private final MqttBroker broker;
  private final Endpoint tcp;
  private final int messages;
  private final int window;

  private InProcessRun(MqttBroker broker, Endpoint tcp, int messages, int window) {
    this.broker = broker;
    this.tcp = tcp;
    this.messages = messages;
    this.window = window;
  }

  public static void main(String[] args) throws Exception {
    int messages = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
    int window = args.length > 1 ? Integer.parseInt(args[1]) : 100;
    MqttBroker broker = MqttBroker.builder().build();
    broker.start();
    MqttServer server = new MqttServer(broker, Executors.newCachedThreadPool(), 2);
    try (BoundListener listener = server.bind(ListenerSettings.tcp("127.0.0.1", 0))) {
      InProcessRun run = new InProcessRun(broker,
          new Endpoint("127.0.0.1", listener.port(), "tcp", "/mqtt"), messages, window);
      for (int round = 1; round <= 2; round++) {
        // The first round warms the JIT up; the second is the result
        String label = round == 1 ? "warm-up" : "result";
        run.report(label, "inproc-to-inproc",
            run.timed("ii", run::consumer, run::publishInProcess));
        run.report(label, "tcp-to-inproc", run.timed("ti", run::consumer, run::publishTcp));
        run.report(label, "inproc-to-tcp",
            run.timed("it", run::subscriber, run::publishInProcess));
        run.report(label, "tcp-to-tcp", run.timed("tt", run::subscriber, run::publishTcp));
      }
    } finally {
      server.close();
      broker.stop();
    }
  }

  private void report(String label, String path, long nanos) {
    if (label.equals("result")) {
      System.out.printf(Locale.ROOT, "RESULT scenario=%s qos=1 msgs_per_s=%d messages=%d "
          + "window=%d%n", path, messages * 1_000_000_000L / nanos, messages, window);
    }
  }

  /** A durable in-process consumer that acknowledges each message, counting them. */
  private LocalSubscription consumer(String topic, CountDownLatch done) {
    AtomicLong seen = new AtomicLong();
    return broker.attachSession("bench/" + topic, topic, QoS.AT_LEAST_ONCE, window, d -> {
      d.acknowledge();
      if (seen.incrementAndGet() == messages) {
        done.countDown();
      }
    });
  }

  /** A TCP subscriber that acknowledges each PUBLISH, counting them. */
  private BenchClient subscriber(String topic, CountDownLatch done) throws IOException {
    BenchClient c = BenchClient.connect(tcp, "bench-sub-" + topic, true, null, 64 * 1024);
    c.subscribe(topic, QoS.AT_LEAST_ONCE);
    AtomicLong seen = new AtomicLong();
    c.startReader((client, first, buf, off, len) -> {
      if (first >> 4 == PacketType.PUBLISH.value()) {
        int topicLength = (buf[off] & 0xFF) << 8 | buf[off + 1] & 0xFF;
        int id = off + 2 + topicLength;
        client.sendAck(PacketType.PUBACK.value(), (buf[id] & 0xFF) << 8 | buf[id + 1] & 0xFF);
        if (seen.incrementAndGet() == messages) {
          done.countDown();
        }
      }
    });
    return c;
  }

  private void publishInProcess(String topic) {
    for (int i = 0; i < messages; i++) {
      broker.publish(Message.of(topic, PAYLOAD, QoS.AT_LEAST_ONCE, false));
    }
  }

  /** Publishes over TCP with at most {@code window} messages awaiting PUBACK. */
  private void publishTcp(String topic) throws IOException, InterruptedException {
    Semaphore inFlight = new Semaphore(window);
    try (BenchClient c = BenchClient.connect(tcp, "bench-pub-" + topic, true, null, 64 * 1024)) {
      c.startReader((client, first, buf, off, len) -> {
        if (first >> 4 == PacketType.PUBACK.value()) {
          inFlight.release();
        }
      });
      for (int i = 0; i < messages; i++) {
        inFlight.acquire();
        c.sendPacket(new Publish(topic, PAYLOAD, QoS.AT_LEAST_ONCE, false, false,
            i % 65_535 + 1, Properties.EMPTY));
        if (inFlight.availablePermits() == 0 || i == messages - 1) {
          c.flush();
        }
      }
      inFlight.acquire(window);
    }
  }

  /** One side that receives: it counts {@code messages} down to {@code done}. */
  @FunctionalInterface
  private interface Receiver {
    AutoCloseable open(String topic, CountDownLatch done) throws IOException;
  }

  /** One side that sends {@code messages} messages. */
  @FunctionalInterface
  private interface Sender {
    void send(String topic) throws IOException, InterruptedException;
  }

  /** @return nanoseconds from the first message sent to the last one received */
  private long timed(String topic, Receiver receiver, Sender sender) throws Exception {
    CountDownLatch done = new CountDownLatch(1);
    try (AutoCloseable r = receiver.open(topic, done)) {
      long start = System.nanoTime();
      sender.send(topic);
      return await(done, start);
    }
  }

  private static long await(CountDownLatch done, long start) throws InterruptedException {
    if (!done.await(300, TimeUnit.SECONDS)) {
      throw new IllegalStateException("not every message arrived within 300 s");
    }
    return System.nanoTime() - start;
  }
}
