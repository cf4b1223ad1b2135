package org.ferrymq.security.scram;

import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Set;

/**
 * Writes one line of the SCRAM-SHA-256 credential file ({@code mqtt.scram.file}):
 *
 * <pre>
 * java -cp ferrymq-ra.jar org.ferrymq.security.scram.ScramTool alice operators,sensors >> scram.txt
 * </pre>
 *
 * The password is read from the console without echo (or from the first line of standard input
 * when there is no console), never from the command line, and is wiped after use.
 */
public final class ScramTool {

  private ScramTool() {
  }

  public static void main(String[] args) throws IOException {
    PrintStream err = System.err;
    if (args.length < 1 || args.length > 2 || args[0].contains(":")) {
      err.println("usage: ScramTool <user> [role,role...]   (the password is read from the "
          + "console or standard input; the user name must not contain ':')");
      System.exit(2);
      return;
    }
    char[] password = readPassword();
    if (password == null || password.length == 0) {
      err.println("no password given");
      System.exit(2);
      return;
    }
    try {
      Set<String> roles = args.length == 2 ? Set.of(args[1].split(",")) : Set.of();
      System.out.println(entry(args[0], password, Scram.DEFAULT_ITERATIONS, roles).toLine());
    } finally {
      Arrays.fill(password, '\0');
    }
  }

  /**
   * @param user the user name
   * @param password the password, not kept
   * @param iterations at least {@link Scram#MIN_ITERATIONS}
   * @param roles the roles the ACL sees
   * @return a verifier with a fresh random salt
   */
  public static ScramCredentials.Entry entry(String user, char[] password, int iterations,
      Set<String> roles) {
    byte[] salt = new byte[16];
    new SecureRandom().nextBytes(salt);
    byte[] salted = Scram.saltedPassword(password, salt, iterations);
    try {
      return new ScramCredentials.Entry(user, iterations, salt,
          Scram.sha256(Scram.clientKey(salted)), Scram.serverKey(salted), roles);
    } finally {
      Arrays.fill(salted, (byte) 0);
    }
  }

  private static char[] readPassword() throws IOException {
    Console console = System.console();
    if (console != null) {
      return console.readPassword("Password: ");
    }
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in,
        StandardCharsets.UTF_8));
    String line = in.readLine();
    return line == null ? null : line.toCharArray();
  }
}
