package org.ferrymq.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.ferrymq.packet.QoS;

/**
 * The FerryMQ load generator: runs the selected scenarios against any MQTT broker and prints
 * each result as a table row and as one {@code RESULT k=v ...} line for scripts (see
 * docs/performance.md and bench/compare.sh). Exits with 1 when a scenario failed: an error, or
 * acknowledged messages lost ({@code status=FAILED}, see {@link Delivery}).
 */
public final class BenchMain {
  /** Table columns: header and the result key shown in it. */
  private static final String[][] COLUMNS = {
      {"scenario", "scenario"}, {"qos", "qos"}, {"transport", "transport"},
      {"broker", "broker"}, {"variant", "variant"}, {"msg/s", "msgs_per_s"},
      {"acked", "acked"}, {"lost", "lost"}, {"dups", "duplicates"}, {"status", "status"},
      {"p50 us", "p50_us"}, {"p99 us", "p99_us"}, {"p99.9 us", "p999_us"},
      {"conn/s", "connects_per_s"}, {"KiB/conn", "kib_per_conn"},
      {"subs", "subscriptions"}, {"depth", "depth"}, {"ns/match", "ns_per_match"},
      {"gen cpu%", "gen_cpu_pct"}, {"broker cpu%", "broker_cpu_pct"}};
  private static final int WIDTH = 11;

  private BenchMain() {
  }

  public static void main(String[] args) {
    BenchOptions o;
    try {
      o = BenchOptions.parse(args);
      o.endpoint();
      o.subscriberEndpoint();
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.err.print(BenchOptions.USAGE);
      System.exit(2);
      return;
    }
    // wss on loopback uses self-signed certificates whose names are not "127.0.0.1"
    System.setProperty("jdk.internal.httpclient.disableHostnameVerification", "true");
    List<Result> results = new ArrayList<>();
    int failures = 0;
    for (String scenario : o.scenarios) {
      try {
        for (Result r : run(o, scenario)) {
          results.add(r);
          System.out.println(r.line());
          if ("FAILED".equals(r.get("status"))) {
            failures++;
          }
        }
      } catch (IOException | RuntimeException e) {
        failures++;
        System.out.println(new Result(scenario, o.broker, o.transport)
            .put("errors", String.valueOf(e.getMessage())).line());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    System.out.println();
    printTable(System.out, results);
    System.exit(failures == 0 ? 0 : 1);
  }

  private static List<Result> run(BenchOptions o, String scenario)
      throws IOException, InterruptedException {
    FlowScenarios flows = new FlowScenarios(o);
    return switch (scenario) {
      case "fanin" -> {
        List<Result> list = new ArrayList<>();
        for (int q : o.qos) {
          list.add(flows.fanIn(q));
        }
        yield list;
      }
      case "fanout" -> {
        List<Result> list = new ArrayList<>();
        for (int q : o.fanoutQos) {
          list.add(flows.fanOut(q));
        }
        yield list;
      }
      case "latency" -> List.of(flows.latency());
      case "qos2" -> List.of(flows.pair("qos2", QoS.EXACTLY_ONCE, false));
      case "persistent" -> List.of(flows.pair("persistent", QoS.AT_LEAST_ONCE, true));
      case "connections" -> List.of(new Connections(o).run());
      case "routing" -> new RoutingScale(o).run();
      default -> throw new IllegalArgumentException("unknown scenario " + scenario);
    };
  }

  /** Prints the results as a table with the columns that any of them has. */
  static void printTable(PrintStream out, List<Result> results) {
    List<String[]> shown = new ArrayList<>();
    for (String[] c : COLUMNS) {
      if (results.stream().anyMatch(r -> r.get(c[1]) != null)) {
        shown.add(c);
      }
    }
    StringBuilder header = new StringBuilder();
    for (String[] c : shown) {
      header.append(String.format(Locale.ROOT, "%-" + WIDTH + "s ", c[0]));
    }
    out.println(header.toString().stripTrailing());
    for (Result r : results) {
      StringBuilder row = new StringBuilder();
      for (String[] c : shown) {
        String v = r.get(c[1]);
        row.append(String.format(Locale.ROOT, "%-" + WIDTH + "s ", v == null ? "" : v));
      }
      out.println(row.toString().stripTrailing());
    }
  }
}
