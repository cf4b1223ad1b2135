package org.ferrymq.engine;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.ferrymq.config.BrokerConfig;
import org.ferrymq.engine.MqttBroker.Builder;

/**
 * Brokers for unit tests (two lanes, so that hand-offs between lanes are exercised), a way to
 * wait until every lane has caught up, and a clock tests move by hand.
 */
public final class TestBrokers {
  private TestBrokers() {
  }

  public static MqttBroker started() {
    return started(b -> b);
  }

  public static MqttBroker started(Function<Builder, Builder> customise) {
    MqttBroker broker = customise.apply(MqttBroker.builder().config(config())).build();
    broker.start();
    return broker;
  }

  /**
   * @param keyValues alternating setting keys and values, e.g. {@code "mqtt.maximum-qos", "1"}
   * @return the test configuration (two lanes) with those settings
   */
  public static BrokerConfig config(String... keyValues) {
    Map<String, String> values = new HashMap<>();
    values.put("mqtt.lanes", "2");
    for (int i = 0; i + 1 < keyValues.length; i += 2) {
      values.put(keyValues[i], keyValues[i + 1]);
    }
    return BrokerConfig.from(k -> Optional.ofNullable(values.get(k)));
  }

  /** Waits until every task queued on every lane so far has run (three rounds, for hand-offs). */
  public static void drainLanes(MqttBroker broker) {
    for (int round = 0; round < 3; round++) {
      BrokerCore core = broker.core();
      CountDownLatch latch = new CountDownLatch(core.laneCount());
      core.forEachLane(lane -> lane.execute(latch::countDown));
      try {
        if (!latch.await(5, TimeUnit.SECONDS)) {
          throw new AssertionError("lanes did not drain");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * Runs the timer's sweep (keep-alive, delayed Wills, session and message expiry) on every lane
   * now and waits for it, instead of waiting for the next timer tick.
   */
  public static void sweep(MqttBroker broker) {
    drainLanes(broker);
    broker.core().sweepLanes();
    drainLanes(broker);
  }

  /** @return the subscription-index keys of the broker's in-process subscribers now */
  public static java.util.Set<String> inProcessKeys(MqttBroker broker) {
    return broker.core().inProcess.keys();
  }

  /** A clock tests move forward by hand. */
  public static final class ManualClock extends Clock {
    private volatile Instant now = Instant.parse("2026-01-01T00:00:00Z");

    public void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
