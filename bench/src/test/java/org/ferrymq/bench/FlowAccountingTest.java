package org.ferrymq.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;

import java.util.ArrayList;
import java.util.List;
import org.ferrymq.packet.QoS;
import org.junit.jupiter.api.Test;

/**
 * The generator's flows against {@link ScriptedBroker}, which acknowledges and forwards what
 * each test tells it: the acknowledged / lost / duplicate counts in the results must match
 * exactly what the broker did.
 */
class FlowAccountingTest {
  private static final int MESSAGES = 1_000;

  /** A short run: {@link #MESSAGES} messages in all, at most 1 s, no warm-up, short drain. */
  private static BenchOptions options(ScriptedBroker broker, String... more) {
    List<String> args = new ArrayList<>(List.of("--port", String.valueOf(broker.port()),
        "--duration", "1", "--warmup", "0", "--messages", String.valueOf(MESSAGES),
        "--publishers", "2", "--subscribers", "3", "--drain-quiet-ms", "300"));
    args.addAll(List.of(more));
    return BenchOptions.parse(args.toArray(new String[0]));
  }

  private static boolean third(long number) {
    return number % 10 == 3;
  }

  @Test
  void faithfulBrokerPassesClosedLoopFanIn() throws Exception {
    try (ScriptedBroker broker = new ScriptedBroker(ScriptedBroker.FAITHFUL)) {
      Result r = new FlowScenarios(options(broker)).fanIn(1);

      assertEquals("1000", r.get("sent"), r.line());
      assertEquals("1000", r.get("acked"), r.line());
      assertEquals("1000", r.get("received"), r.line());
      assertEquals("0", r.get("lost"), r.line());
      assertEquals("0", r.get("duplicates"), r.line());
      assertEquals("ok", r.get("status"), r.line());
      assertNull(r.get("variant"), r.line());
    }
  }

  @Test
  void acknowledgedThenDroppedIsLost() throws Exception {
    // every message numbered ...3 is acknowledged and then dropped: 50 per publisher
    try (ScriptedBroker broker = new ScriptedBroker(
        ScriptedBroker.except(FlowAccountingTest::third, true, 0, -1))) {
      Result r = new FlowScenarios(options(broker, "--open-loop", "true",
          "--subscriber-read-pause-us", "100")).fanIn(1);

      assertEquals("1000", r.get("acked"), r.line());
      assertEquals("900", r.get("received"), r.line());
      assertEquals("100", r.get("lost"), r.line());
      assertEquals("FAILED", r.get("status"), r.line());
      assertEquals("open-loop,sub-pause-100us", r.get("variant"), r.line());
    }
  }

  @Test
  void droppedWithoutAcknowledgementIsNotLost() throws Exception {
    // the broker refuses those messages silently (no PUBACK): it promised nothing
    try (ScriptedBroker broker = new ScriptedBroker(
        ScriptedBroker.except(FlowAccountingTest::third, false, 0, -1))) {
      Result r = new FlowScenarios(options(broker, "--open-loop", "true")).fanIn(1);

      assertEquals("1000", r.get("sent"), r.line());
      assertEquals("900", r.get("acked"), r.line());
      assertEquals("900", r.get("received"), r.line());
      assertEquals("0", r.get("lost"), r.line());
      assertEquals("ok", r.get("status"), r.line());
    }
  }

  @Test
  void qos2CountsPubrecAsAcknowledgementAndFailsOnDuplicates() throws Exception {
    try (ScriptedBroker broker = new ScriptedBroker(
        ScriptedBroker.except(FlowAccountingTest::third, true, 2, -1))) {
      Result r = new FlowScenarios(options(broker, "--open-loop", "true"))
          .pair("qos2", QoS.EXACTLY_ONCE, false);

      assertEquals("1000", r.get("acked"), r.line());
      assertEquals("1000", r.get("received"), r.line());
      assertEquals("100", r.get("duplicates"), r.line());
      assertEquals("0", r.get("lost"), r.line());
      assertEquals("FAILED", r.get("status"), r.line());
    }
  }

  @Test
  void qos1DuplicatesAreReportedButAllowed() throws Exception {
    try (ScriptedBroker broker = new ScriptedBroker(
        ScriptedBroker.except(FlowAccountingTest::third, true, 2, -1))) {
      Result r = new FlowScenarios(options(broker)).pair("persistent", QoS.AT_LEAST_ONCE, true);

      assertEquals("100", r.get("duplicates"), r.line());
      assertEquals("0", r.get("lost"), r.line());
      assertEquals("ok", r.get("status"), r.line());
    }
  }

  @Test
  void fanOutChecksEverySubscriber() throws Exception {
    // only the second of the three subscribers misses messages numbered ...3
    try (ScriptedBroker broker = new ScriptedBroker(
        ScriptedBroker.except(FlowAccountingTest::third, true, 0, 1))) {
      Result r = new FlowScenarios(options(broker, "--open-loop", "true")).fanOut(1);

      assertEquals("1000", r.get("acked"), r.line());
      assertEquals("2900", r.get("received"), r.line());
      assertEquals("100", r.get("lost"), r.line());
      assertEquals("FAILED", r.get("status"), r.line());
    }
  }

  @Test
  void qos0FanOutCountsDropsButDoesNotFail() throws Exception {
    try (ScriptedBroker broker = new ScriptedBroker(
        ScriptedBroker.except(FlowAccountingTest::third, true, 0, 1))) {
      Result r = new FlowScenarios(options(broker, "--open-loop", "true")).fanOut(0);

      assertNull(r.get("acked"), r.line());
      assertEquals("100", r.get("lost"), r.line());
      assertEquals("ok", r.get("status"), r.line());
    }
  }

  @Test
  void subscribersOnAnotherNodeWaitUntilTheirSubscriptionIsInEffectThere() throws Exception {
    // the publishers' "node" forwards to a subscription only 300 ms after its SUBACK: without
    // the probe, the messages acknowledged meanwhile would be lost
    try (ScriptedBroker broker = new ScriptedBroker(ScriptedBroker.FAITHFUL).visibleAfter(300)) {
      Result r = new FlowScenarios(options(broker, "--sub-port",
          String.valueOf(broker.otherPort()))).fanIn(1);

      assertEquals("127.0.0.1:" + broker.port(), r.get("pub_at"), r.line());
      assertEquals("127.0.0.1:" + broker.otherPort(), r.get("sub_at"), r.line());
      assertTrue(Long.parseLong(r.get("sub_visible_ms")) >= 200, r.line());
      assertEquals("1000", r.get("acked"), r.line());
      assertEquals("1000", r.get("received"), r.line());
      assertEquals("0", r.get("lost"), r.line());
      assertEquals("ok", r.get("status"), r.line());
    }
  }

  @Test
  void fanOutWaitsForEverySubscriberOnTheOtherNode() throws Exception {
    try (ScriptedBroker broker = new ScriptedBroker(ScriptedBroker.FAITHFUL).visibleAfter(200)) {
      Result r = new FlowScenarios(options(broker, "--sub-port",
          String.valueOf(broker.otherPort()))).fanOut(1);

      assertEquals("3000", r.get("received"), r.line());
      assertEquals("0", r.get("lost"), r.line());
      assertEquals("ok", r.get("status"), r.line());
    }
  }

  @Test
  void aSubscriptionThatNeverTakesEffectFailsTheFlowBeforeItStarts() throws Exception {
    try (ScriptedBroker broker = new ScriptedBroker(ScriptedBroker.FAITHFUL)
        .visibleAfter(60_000)) {
      FlowScenarios sut = new FlowScenarios(options(broker, "--sub-port",
          String.valueOf(broker.otherPort()), "--subscription-wait-ms", "300"));

      IOException e = assertThrows(IOException.class, () -> sut.fanIn(1));
      assertTrue(e.getMessage().contains("not in effect on 127.0.0.1:" + broker.port()),
          e.getMessage());
    }
  }

  @Test
  void oneBrokerNeedsNoWaitAndSaysSo() throws Exception {
    try (ScriptedBroker broker = new ScriptedBroker(ScriptedBroker.FAITHFUL)) {
      Result r = new FlowScenarios(options(broker)).latency();

      assertEquals(r.get("pub_at"), r.get("sub_at"), r.line());
      assertTrue(Long.parseLong(r.get("sub_visible_ms")) < 200, r.line());
      assertEquals("0", r.get("lost"), r.line());
    }
  }
}
