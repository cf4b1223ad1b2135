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
}
