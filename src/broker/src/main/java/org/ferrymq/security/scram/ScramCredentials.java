package org.ferrymq.security.scram;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.ferrymq.config.ConfigException;

/**
 * SCRAM-SHA-256 credentials: per user the salt, iteration count, StoredKey and ServerKey of RFC
 * 5802, never the password. Liberty's user registries cannot hand out salted keys, so SCRAM users
 * live in this dedicated file, one line each, written by {@link ScramTool}:
 *
 * <pre>
 * # user:iterations:salt:storedKey:serverKey:role,role
 * alice:4096:c2FsdHNhbHQ=:...:...:operators
 * </pre>
 *
 * (salt and keys in base64). Immutable and thread-safe.
 */
public final class ScramCredentials {

  /**
   * One user's verifier.
   *
   * @param user the user name
   * @param iterations the PBKDF2 iteration count
   * @param salt the salt
   * @param storedKey H(ClientKey)
   * @param serverKey HMAC(SaltedPassword, "Server Key")
   * @param roles the roles the ACL sees
   */
  public record Entry(String user, int iterations, byte[] salt, byte[] storedKey,
      byte[] serverKey, Set<String> roles) {
    public Entry {
      salt = salt.clone();
      storedKey = storedKey.clone();
      serverKey = serverKey.clone();
      roles = Set.copyOf(roles);
    }

    @Override
    public byte[] salt() {
      return salt.clone();
    }

    @Override
    public byte[] storedKey() {
      return storedKey.clone();
    }

    @Override
    public byte[] serverKey() {
      return serverKey.clone();
    }

    /** @return the file line for this entry */
    public String toLine() {
      Base64.Encoder b64 = Base64.getEncoder();
      return user + ":" + iterations + ":" + b64.encodeToString(salt) + ":"
          + b64.encodeToString(storedKey) + ":" + b64.encodeToString(serverKey) + ":"
          + String.join(",", roles.stream().sorted().toList());
    }
  }

  private final Map<String, Entry> entries;

  private ScramCredentials(Map<String, Entry> entries) {
    this.entries = Map.copyOf(entries);
  }

  /**
   * @param file the credential file
   * @param key the setting that named it, for error messages
   * @return the parsed credentials
   * @throws ConfigException naming the key and the line
   */
  public static ScramCredentials load(Path file, String key) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ConfigException(key, "cannot read " + file + ": " + e);
    }
    return parse(lines, key);
  }

  /**
   * @param lines the file's lines
   * @param key the setting, for error messages
   * @return the parsed credentials
   * @throws ConfigException naming the key and the line
   */
  public static ScramCredentials parse(List<String> lines, String key) {
    Map<String, Entry> entries = new HashMap<>();
    for (int n = 0; n < lines.size(); n++) {
      String line = lines.get(n).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String[] f = line.split(":", -1);
      if (f.length != 6 || f[0].isEmpty()) {
        throw new ConfigException(key, "line " + (n + 1)
            + ": expected user:iterations:salt:storedKey:serverKey:roles");
      }
      try {
        int iterations = Integer.parseInt(f[1]);
        if (iterations < Scram.MIN_ITERATIONS) {
          throw new ConfigException(key, "line " + (n + 1) + ": fewer than "
              + Scram.MIN_ITERATIONS + " iterations");
        }
        Base64.Decoder b64 = Base64.getDecoder();
        byte[] stored = b64.decode(f[3]);
        byte[] server = b64.decode(f[4]);
        if (stored.length != 32 || server.length != 32) {
          throw new ConfigException(key, "line " + (n + 1) + ": keys must be 32 bytes");
        }
        Set<String> roles = f[5].isBlank() ? Set.of()
            : Set.copyOf(Arrays.stream(f[5].split(",")).map(String::strip)
                .filter(r -> !r.isEmpty()).toList());
        if (entries.put(f[0], new Entry(f[0], iterations, b64.decode(f[2]), stored, server,
            roles)) != null) {
          throw new ConfigException(key, "line " + (n + 1) + ": user " + f[0] + " repeated");
        }
      } catch (IllegalArgumentException e) {
        throw new ConfigException(key, "line " + (n + 1) + ": " + e.getMessage());
      }
    }
    return new ScramCredentials(entries);
  }

  /** @return the user's verifier, if the user has one */
  public Optional<Entry> find(String user) {
    return Optional.ofNullable(entries.get(user));
  }

  /** @return the number of users */
  public int size() {
    return entries.size();
  }
}
