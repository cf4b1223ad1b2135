package org.ferrymq.security.acl;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.ferrymq.config.ConfigException;
import org.ferrymq.config.SecurityConfig;
import org.ferrymq.config.Setting;
import org.ferrymq.topic.Topics;

/**
 * Reads the ACL line format, a superset of Mosquitto's {@code acl_file}:
 *
 * <pre>
 * # comment
 * topic read $SYS/#                 rules before any section apply to every client
 * pattern readwrite clients/%c/#    pattern lines apply to every client, wherever they stand
 * user alice                        the following rules apply to the user alice
 * topic readwrite sensors/#
 * topic deny sensors/secret/#
 * role operators                    ... to clients holding the role (registry group, JWT group)
 * topic read #
 * anonymous                         ... to clients without credentials (dev profile)
 * topic read public/#
 * </pre>
 *
 * The access word is {@code read}, {@code write}, {@code readwrite} or {@code deny}; when omitted
 * it is {@code readwrite}. Unlike Mosquitto, rules before any section apply to every client, not
 * only to anonymous ones. Stateless.
 */
public final class AclParser {

  private AclParser() {
  }

  /**
   * Builds the ACL the settings describe: the file first, then the inline rules.
   *
   * @param config the security settings
   * @return the ACL, empty (every topic gets the default) when neither is set
   * @throws ConfigException naming {@code mqtt.acl.file} or {@code mqtt.acl.rules} and the line
   */
  public static Acl load(SecurityConfig config) {
    Builder builder = new Builder();
    if (!config.aclFile().isEmpty()) {
      Path file = Path.of(config.aclFile());
      try {
        builder.read(Setting.ACL_FILE.key(), Files.readString(file, StandardCharsets.UTF_8)
            .split("\r?\n"));
      } catch (IOException e) {
        throw new ConfigException(Setting.ACL_FILE.key(), "cannot read " + file + ": " + e);
      }
    }
    if (!config.aclRules().isEmpty()) {
      builder.read(Setting.ACL_RULES.key(), config.aclRules().split("[;\r\n]+"));
    }
    return builder.build(config.aclAllowsByDefault());
  }

  /**
   * @param text ACL lines
   * @param allowByDefault the decision for topics no rule covers
   * @return the parsed ACL
   * @throws ConfigException naming {@code mqtt.acl.rules} and the line
   */
  public static Acl parse(String text, boolean allowByDefault) {
    Builder builder = new Builder();
    builder.read(Setting.ACL_RULES.key(), text.split("\r?\n"));
    return builder.build(allowByDefault);
  }

  private static final class Builder {
    private final List<Acl.Rule> general = new ArrayList<>();
    private final List<Acl.Rule> patterns = new ArrayList<>();
    private final Map<String, List<Acl.Rule>> users = new HashMap<>();
    private final Map<String, List<Acl.Rule>> roles = new HashMap<>();
    private final List<Acl.Rule> anonymous = new ArrayList<>();

    void read(String key, String[] lines) {
      List<Acl.Rule> section = general;
      for (int n = 0; n < lines.length; n++) {
        String line = lines[n].strip();
        if (line.isEmpty() || line.startsWith("#")) {
          continue;
        }
        String[] words = line.split("\\s+", 2);
        String rest = words.length > 1 ? words[1].strip() : "";
        switch (words[0]) {
          case "user" -> section = users.computeIfAbsent(name(key, n, rest), k -> new ArrayList<>());
          case "role" -> section = roles.computeIfAbsent(name(key, n, rest), k -> new ArrayList<>());
          case "anonymous" -> section = anonymous;
          case "topic" -> section.add(rule(key, n, rest, false));
          case "pattern" -> patterns.add(rule(key, n, rest, true));
          default -> throw problem(key, n, "unknown keyword '" + words[0]
              + "' (expected topic, pattern, user, role or anonymous)");
        }
      }
    }

    Acl build(boolean allowByDefault) {
      return new Acl(general, patterns, users, roles, anonymous, allowByDefault);
    }

    private static String name(String key, int n, String rest) {
      if (rest.isEmpty()) {
        throw problem(key, n, "a section needs a name");
      }
      return rest;
    }

    private static Acl.Rule rule(String key, int n, String rest, boolean pattern) {
      String[] words = rest.split("\\s+", 2);
      Access access = Access.parse(words[0]);
      String filter = access == null ? rest : words.length > 1 ? words[1].strip() : "";
      if (access == null) {
        access = Access.READWRITE;
      }
      if (filter.isEmpty()) {
        throw problem(key, n, "a rule needs a topic filter");
      }
      String checked = pattern ? filter.replace("%u", "u").replace("%c", "c") : filter;
      String trouble = Topics.problemWithFilter(checked);
      if (trouble != null) {
        throw problem(key, n, "'" + filter + "' is not a valid topic filter: " + trouble);
      }
      if (Topics.isShared(checked)) {
        throw problem(key, n, "rules take plain filters; a $share/group/ subscription is "
            + "checked against its inner filter");
      }
      return new Acl.Rule(access, filter, pattern);
    }

    private static ConfigException problem(String key, int n, String message) {
      return new ConfigException(key, "line " + (n + 1) + ": " + message);
    }
  }
}
