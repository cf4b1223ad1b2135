package org.ferrymq.engine;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.ferrymq.config.BrokerConfig;
import org.ferrymq.engine.MqttBroker.Builder;

/** Brokers for unit tests, and a way to wait until every lane has caught up. */
final class TestBrokers {
  private TestBrokers() {
  }

  static MqttBroker started() {
    return started(b -> b);
  }

  static MqttBroker started(Function<Builder, Builder> customise) {
    MqttBroker broker = customise.apply(MqttBroker.builder()
        .config(BrokerConfig.from(key -> key.equals("mqtt.lanes") ? Optional.of("2")
            : Optional.empty()))).build();
    broker.start();
    return broker;
  }

  static BrokerConfig config(String key, String value) {
    return BrokerConfig.from(k -> k.equals(key) ? Optional.of(value)
        : k.equals("mqtt.lanes") ? Optional.of("2") : Optional.empty());
  }

  /** Waits until every task queued on every lane so far has run (twice, for hand-offs). */
  static void drainLanes(MqttBroker broker) {
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

  /** A clock tests move forward by hand. */
  static final class ManualClock extends Clock {
    private volatile Instant now = Instant.parse("2026-01-01T00:00:00Z");

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
