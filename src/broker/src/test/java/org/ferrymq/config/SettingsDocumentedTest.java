package org.ferrymq.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The code's list of settings ({@link Setting}) is the source of truth; the README's
 * configuration table and Liberty's server.xml variables must say the same, so they cannot drift
 * from it: every setting has a README row with its key, its environment variable and its default
 * (a row may document two settings as {@code a / b} in each column), and a server.xml variable
 * with the same default. Every failure names the setting.
 */
class SettingsDocumentedTest {
  /** The checkout's top level; the build passes it, this module lives in src/broker. */
  private static final Path ROOT = Path.of(System.getProperty("ferrymq.root", "../.."));
  private static final Pattern VARIABLE = Pattern.compile(
      "<variable\\s+name=\"([^\"]+)\"\\s+defaultValue=\"([^\"]*)\"");

  /** README rows of the configuration table, cell texts by setting key. */
  private static Map<String, String[]> readmeRows() throws IOException {
    Map<String, String[]> rows = new HashMap<>();
    for (String line : Files.readAllLines(ROOT.resolve("README.md"))) {
      if (!line.startsWith("| `mqtt.")) {
        continue;
      }
      String[] cells = line.substring(1).split("\\|");
      String[] keys = cells[0].split(" / ");
      String[] variables = cells[1].split(" / ");
      String[] defaults = cells[2].split(" / ");
      for (int i = 0; i < keys.length; i++) {
        rows.put(strip(keys[i]), new String[] {
            strip(variables[Math.min(i, variables.length - 1)]),
            strip(defaults[Math.min(i, defaults.length - 1)])});
      }
    }
    return rows;
  }

  private static String strip(String cell) {
    return cell.trim().replace("`", "");
  }

  @Test
  void everySettingHasAReadmeRowWithItsVariableAndDefault() throws IOException {
    Map<String, String[]> rows = readmeRows();
    List<String> problems = new ArrayList<>();
    for (Setting s : Setting.values()) {
      String[] row = rows.get(s.key());
      if (row == null) {
        problems.add(s.key() + ": no row in README.md's configuration table");
        continue;
      }
      if (!row[0].equals(s.environmentVariable())) {
        problems.add(s.key() + ": README names variable " + row[0] + ", the code maps "
            + s.environmentVariable());
      }
      String documented = row[1].equals("empty") ? "" : row[1];
      if (!documented.equals(s.defaultValue())) {
        problems.add(s.key() + ": README says default '" + row[1] + "', the code '"
            + s.defaultValue() + "'");
      }
    }
    assertEquals(List.of(), problems);
  }

  @Test
  void everySettingHasAServerXmlVariableWithTheSameDefault() throws IOException {
    Map<String, String> variables = new HashMap<>();
    Matcher m = VARIABLE.matcher(Files.readString(ROOT.resolve("liberty/server.xml")));
    while (m.find()) {
      variables.put(m.group(1), m.group(2));
    }
    List<String> problems = new ArrayList<>();
    for (Setting s : Setting.values()) {
      String value = variables.get(s.key());
      if (value == null) {
        problems.add(s.key() + ": no <variable> in liberty/server.xml");
      } else if (!value.equals(s.defaultValue())) {
        problems.add(s.key() + ": server.xml default '" + value + "', the code '"
            + s.defaultValue() + "'");
      }
    }
    assertEquals(List.of(), problems);
  }

  @Test
  void theReadmeDocumentsNoSettingTheCodeDoesNotHave() throws IOException {
    List<String> known = new ArrayList<>();
    for (Setting s : Setting.values()) {
      known.add(s.key());
    }
    List<String> unknown = new ArrayList<>();
    for (String key : readmeRows().keySet()) {
      // ports, host, client certificates and persistence are read by the resource adapter;
      // the JWT key source and checks by Liberty's jwtConsumer
      if (!known.contains(key) && !key.matches("mqtt\\.(port|mqtts\\.port|ws\\.port"
          + "|wss\\.port|tls\\.client-auth|host|persistence(\\..*)?"
          + "|jwt\\.(jwks-url|issuer|audiences|algorithm|clock-skew))")) {
        unknown.add(key);
      }
    }
    assertTrue(unknown.isEmpty(), "README rows for settings the code does not define: "
        + unknown);
  }
}
