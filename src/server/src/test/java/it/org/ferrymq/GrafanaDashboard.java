package it.org.ferrymq;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The metric names the Grafana dashboard in docs/grafana queries, and what a server's
 * {@code /metrics} (Prometheus text) exposes.
 */
final class GrafanaDashboard {

  /** In the checkout's top level; this module lives in src/server. */
  private static final Path DASHBOARD = Path.of(System.getProperty("ferrymq.root", "../.."))
      .resolve("docs/grafana/ferrymq-dashboard.json");
  private static final Pattern METRIC = Pattern.compile("\\bferrymq_[a-z0-9_]+");
  /** Registered only on a clustered server (docs/metrics.md). */
  static final String CLUSTER_PREFIX = "ferrymq_cluster_";

  private GrafanaDashboard() {
  }

  /** @return the metric names the dashboard's queries use */
  static Set<String> queried() throws IOException {
    Set<String> queried = new TreeSet<>();
    Matcher m = METRIC.matcher(Files.readString(DASHBOARD));
    while (m.find()) {
      queried.add(m.group());
    }
    return queried;
  }

  /** @return the sample names in a Prometheus text body, without labels */
  static Set<String> exposed(String prometheus) {
    Set<String> names = new TreeSet<>();
    for (String line : prometheus.split("\n")) {
      Matcher m = METRIC.matcher(line);
      if (!line.startsWith("#") && m.lookingAt()) {
        names.add(m.group());
      }
    }
    return names;
  }

  /** @return the values of every sample of that name (one per set of labels), in order */
  static List<Long> values(String prometheus, String name) {
    List<Long> values = new ArrayList<>();
    for (String line : prometheus.split("\n")) {
      if (line.startsWith(name + "{") || line.startsWith(name + " ")) {
        values.add((long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)));
      }
    }
    return values;
  }

  /** @return the value of the sample of that name (labels aside), -1 when there is none */
  static long value(String prometheus, String name) {
    List<Long> values = values(prometheus, name);
    return values.isEmpty() ? -1 : values.get(0);
  }
}
