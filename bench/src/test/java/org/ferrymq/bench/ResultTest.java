package org.ferrymq.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ResultTest {

  @Test
  void lineKeepsOrderAndFormatsDecimalsWithAPoint() {
    Result sut = new Result("fanin", "ferrymq", "tcp").put("qos", 0)
        .put("msgs_per_s", 123456.789, 0).put("gen_cpu_pct", 57.25, 1);

    assertEquals("RESULT scenario=fanin transport=tcp broker=ferrymq qos=0 msgs_per_s=123457"
        + " gen_cpu_pct=57.3", sut.line());
  }

  @Test
  void valuesCannotBreakTheLineFormat() {
    Result sut = new Result("fanin", "my broker", "tcp").put("errors", "a = b\tc").put("x", "");

    assertEquals("RESULT scenario=fanin transport=tcp broker=my_broker errors=a_b_c x=-",
        sut.line());
    assertThrows(IllegalArgumentException.class, () -> sut.put("Bad Key", "1"));
  }

  @Test
  void tableShowsOnlyColumnsSomeResultHas() {
    Result a = new Result("fanin", "ferrymq", "tcp").put("msgs_per_s", "10");
    Result b = new Result("latency", "ferrymq", "tcp").put("p99_us", "150.0");
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    BenchMain.printTable(new PrintStream(bytes, true, StandardCharsets.UTF_8), List.of(a, b));

    String[] lines = bytes.toString(StandardCharsets.UTF_8).split("\n");
    assertEquals(3, lines.length);
    assertTrue(lines[0].contains("msg/s") && lines[0].contains("p99 us"), lines[0]);
    assertTrue(!lines[0].contains("KiB/conn"), lines[0]);
    assertTrue(lines[2].startsWith("latency"), lines[2]);
  }

  @Test
  void sourceAddressesRotateAfterPerAddressConnections() {
    assertEquals("127.0.0.1", Connections.sourceAddress(0, 20_000));
    assertEquals("127.0.0.1", Connections.sourceAddress(19_999, 20_000));
    assertEquals("127.0.0.2", Connections.sourceAddress(20_000, 20_000));
    assertEquals("127.0.1.1", Connections.sourceAddress(254 * 3, 3));
  }

  @Test
  void optionsRejectUnknownAndBadValues() {
    BenchOptions o = BenchOptions.parse(new String[] {"--port", "1884", "--qos", "0,2",
        "--transport", "wss"});
    assertEquals(1884, o.port);
    assertEquals(List.of(0, 2), o.qos);
    assertEquals("wss", o.endpoint().transport());

    assertThrows(IllegalArgumentException.class, () -> BenchOptions.parse(new String[] {"--nope",
        "1"}));
    assertThrows(IllegalArgumentException.class, () -> BenchOptions.parse(new String[] {"--qos",
        "3"}));
    assertThrows(IllegalArgumentException.class, () -> BenchOptions.parse(new String[] {"--port"}));
    assertThrows(IllegalArgumentException.class,
        () -> BenchOptions.parse(new String[] {"--transport", "udp"}).endpoint());
  }

  @Test
  void lossScenarioOptions() {
    BenchOptions o = BenchOptions.parse(new String[] {"--subscriber-read-pause-us", "100",
        "--open-loop", "true", "--fanout-qos", "0,1", "--drain-quiet-ms", "500"});
    assertEquals(100, o.subscriberReadPauseMicros);
    assertEquals(List.of(0, 1), o.fanoutQos);
    assertEquals(500, o.drainQuietMillis);
    assertEquals("open-loop,sub-pause-100us", FlowScenarios.variant(o, true));
    assertEquals("sub-pause-100us", FlowScenarios.variant(o, false));
    assertEquals("", FlowScenarios.variant(BenchOptions.parse(new String[0]), true));

    assertThrows(IllegalArgumentException.class,
        () -> BenchOptions.parse(new String[] {"--window", "65536"}));
    assertThrows(IllegalArgumentException.class,
        () -> BenchOptions.parse(new String[] {"--fanout-qos", "3"}));
    assertThrows(IllegalArgumentException.class,
        () -> BenchOptions.parse(new String[] {"--subscriber-read-pause-us", "-1"}));
  }

  @Test
  void tableShowsLossAndStatus() {
    Result r = new Result("fanin", "ferrymq", "tcp").put("qos", 1).put("msgs_per_s", "10");
    new Delivery(1, 10, 10, 9, 0, 1, "s0/p0/n3").addTo(r);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    BenchMain.printTable(new PrintStream(bytes, true, StandardCharsets.UTF_8), List.of(r));

    String[] lines = bytes.toString(StandardCharsets.UTF_8).split("\n");
    assertTrue(lines[0].contains("acked") && lines[0].contains("lost")
        && lines[0].contains("dups") && lines[0].contains("status"), lines[0]);
    assertTrue(lines[1].endsWith("FAILED"), lines[1]);
  }

  @Test
  void subscribersUseThePublishersBrokerUnlessGivenAnother() {
    BenchOptions same = BenchOptions.parse(new String[] {"--host", "10.0.0.5", "--port", "1884"});
    assertEquals(new Endpoint("10.0.0.5", 1884, "tcp", "/mqtt"), same.subscriberEndpoint());

    BenchOptions cross = BenchOptions.parse(new String[] {"--host", "10.0.0.5", "--port", "1884",
        "--sub-host", "10.0.0.6", "--sub-port", "1885", "--transport", "ws",
        "--subscription-wait-ms", "5000"});
    assertEquals(new Endpoint("10.0.0.5", 1884, "ws", "/mqtt"), cross.endpoint());
    assertEquals(new Endpoint("10.0.0.6", 1885, "ws", "/mqtt"), cross.subscriberEndpoint());
    assertEquals(5000, cross.subscriptionWaitMillis);
    assertEquals("10.0.0.6:1885", FlowScenarios.at(cross.subscriberEndpoint()));

    BenchOptions portOnly = BenchOptions.parse(new String[] {"--sub-port", "1885"});
    assertEquals(new Endpoint("127.0.0.1", 1885, "tcp", "/mqtt"), portOnly.subscriberEndpoint());

    assertThrows(IllegalArgumentException.class,
        () -> BenchOptions.parse(new String[] {"--sub-port", "0"}));
    assertThrows(IllegalArgumentException.class,
        () -> BenchOptions.parse(new String[] {"--sub-port", "70000"}).subscriberEndpoint());
    assertThrows(IllegalArgumentException.class,
        () -> BenchOptions.parse(new String[] {"--subscription-wait-ms", "0"}));
  }

  @Test
  void brokerPidsAreAListWhoseCpuIsSummed() throws Exception {
    assertEquals(List.of(), BenchOptions.parse(new String[0]).brokerPids);
    assertEquals(List.of(12L, 34L),
        BenchOptions.parse(new String[] {"--broker-pid", "12,34"}).brokerPids);
    assertThrows(IllegalArgumentException.class,
        () -> BenchOptions.parse(new String[] {"--broker-pid", "12,x"}));

    // this process twice: the sum is twice each share
    long self = ProcessHandle.current().pid();
    CpuMeter sut = new CpuMeter(List.of(self, self));
    sut.start();
    long end = System.nanoTime() + 300_000_000L;
    double x = 0;
    while (System.nanoTime() < end) {
      x += Math.sqrt(x + 1);
    }
    sut.stop();
    Result r = new Result("fanin", "b", "tcp");
    sut.addTo(r);

    String[] each = r.get("broker_cpu_pct_each").split("/");
    assertEquals(2, each.length, r.line() + x);
    // the same process read twice, a moment apart: its other threads (JIT, GC, other tests)
    // may run in between, so the two shares differ by a few points on a busy machine
    int first = Integer.parseInt(each[0]);
    int second = Integer.parseInt(each[1]);
    assertEquals(first, second, 10, r.line());
    assertEquals(first + second, Integer.parseInt(r.get("broker_cpu_pct")), 1, r.line());
    assertTrue(Integer.parseInt(r.get("broker_cpu_pct")) > 0, r.line());
  }
}
