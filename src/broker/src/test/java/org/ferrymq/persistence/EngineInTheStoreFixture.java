package org.ferrymq.persistence;

import org.ferrymq.engine.MqttBroker;

/**
 * Breaks a layer rule on purpose, for {@code LayerRulesCatchViolationsTest}: a store class that
 * reaches into the engine, which already depends on the stores, so the two form a cycle. Test
 * code only; {@code LayersTest} never sees it.
 */
public final class EngineInTheStoreFixture {
  private EngineInTheStoreFixture() {
  }

  public static boolean running(MqttBroker broker) {
    return broker.stats().uptimeSeconds() >= 0;
  }
}
