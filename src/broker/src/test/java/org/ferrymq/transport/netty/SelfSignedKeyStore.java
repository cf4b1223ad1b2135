package org.ferrymq.transport.netty;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Creates a development key store with a self-signed RSA certificate, for TLS listeners that have
 * no key store configured. Not for production: clients can only trust it explicitly.
 *
 * <p>Runs the JDK's {@code keytool}, which needs no extra library; the password reaches it through
 * the child's environment, never its command line. Thread-safe and safe across processes: the
 * store is written under a temporary name and moved into place, so a reader never sees half a
 * file and an existing store is never replaced.
 */
public final class SelfSignedKeyStore {

  /** The alias of the generated key entry. */
  public static final String ALIAS = "ferrymq";

  private static final long KEYTOOL_TIMEOUT_SECONDS = 120;
  private static final int VALIDITY_DAYS = 3650;
  private static final String PASSWORD_VARIABLE = "FERRYMQ_KEYSTORE_PASSWORD";
  private static final Pattern HOST_NAME =
      Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*");

  private SelfSignedKeyStore() {
  }

  /**
   * Generates an RSA 2048 key and a self-signed SHA256withRSA certificate valid for ten years into
   * a new PKCS12 file, unless the file exists already. The certificate names {@code localhost},
   * {@code 127.0.0.1}, {@code ::1} and, when it is a host name, the common name as alternative
   * names.
   *
   * @param p12 where the key store lives; missing parent directories are created
   * @param password the store and key password, at least 6 characters as PKCS12 requires
   * @param commonName the certificate subject's CN, e.g. the broker's host name
   * @return {@code true} if a store was created, {@code false} if one existed
   * @throws UncheckedIOException when the store cannot be written or keytool fails
   */
  public static boolean createIfMissing(Path p12, char[] password, String commonName) {
    Objects.requireNonNull(p12, "p12");
    Objects.requireNonNull(password, "password");
    if (password.length < 6) {
      throw new IllegalArgumentException("a PKCS12 password needs at least 6 characters");
    }
    if (commonName == null || commonName.isBlank()) {
      throw new IllegalArgumentException("commonName must not be blank");
    }
    Path target = p12.toAbsolutePath();
    if (Files.exists(target)) {
      return false;
    }
    try {
      Files.createDirectories(target.getParent());
      Path temporary = target.resolveSibling(
          "." + target.getFileName() + "." + UUID.randomUUID() + ".tmp");
      try {
        runKeytool(temporary, password, commonName);
        restrictToOwner(temporary);
        return moveIntoPlace(temporary, target);
      } finally {
        Files.deleteIfExists(temporary);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot create a self-signed key store at " + target + ": " + e.getMessage(), e);
    }
  }

  private static void runKeytool(Path store, char[] password, String commonName)
      throws IOException {
    List<String> command = new ArrayList<>(List.of(keytool().toString(),
        "-genkeypair", "-noprompt",
        "-alias", ALIAS,
        "-keyalg", "RSA", "-keysize", "2048", "-sigalg", "SHA256withRSA",
        "-validity", Integer.toString(VALIDITY_DAYS),
        "-dname", "CN=" + escapeDistinguishedNameValue(commonName),
        "-ext", "SAN=" + subjectAlternativeNames(commonName),
        "-storetype", "PKCS12",
        "-keystore", store.toString(),
        "-storepass:env", PASSWORD_VARIABLE,
        "-keypass:env", PASSWORD_VARIABLE));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    Map<String, String> environment = builder.environment();
    environment.put(PASSWORD_VARIABLE, new String(password));
    Process process = builder.start();
    process.getOutputStream().close();
    try {
      // keytool prints little; reading it all before waiting keeps its pipe from filling up.
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(KEYTOOL_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        throw new IOException("keytool did not finish within " + KEYTOOL_TIMEOUT_SECONDS + " s");
      }
      if (process.exitValue() != 0 || !Files.exists(store)) {
        throw new IOException("keytool exited with " + process.exitValue() + ": " + output.strip());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while waiting for keytool", e);
    } finally {
      process.destroy();
    }
  }

  private static Path keytool() throws IOException {
    String executable = System.getProperty("os.name", "").toLowerCase(Locale.ROOT)
        .startsWith("windows") ? "keytool.exe" : "keytool";
    List<Path> candidates = new ArrayList<>();
    candidates.add(Path.of(System.getProperty("java.home"), "bin", executable));
    String javaHome = System.getenv("JAVA_HOME");
    if (javaHome != null && !javaHome.isBlank()) {
      candidates.add(Path.of(javaHome, "bin", executable));
    }
    for (Path candidate : candidates) {
      if (Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    throw new IOException("keytool not found in " + candidates);
  }

  private static String subjectAlternativeNames(String commonName) {
    StringBuilder names = new StringBuilder("dns:localhost,ip:127.0.0.1,ip:::1");
    if (HOST_NAME.matcher(commonName).matches() && !commonName.equalsIgnoreCase("localhost")) {
      names.append(",dns:").append(commonName);
    }
    return names.toString();
  }

  /** Escapes the characters RFC 4514 reserves, so any common name yields exactly one CN. */
  static String escapeDistinguishedNameValue(String value) {
    StringBuilder escaped = new StringBuilder(value.length() + 8);
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      boolean leading = i == 0 && (c == '#' || c == ' ');
      boolean trailing = i == value.length() - 1 && c == ' ';
      if ("\\,+=\"<>;".indexOf(c) >= 0 || leading || trailing) {
        escaped.append('\\');
      }
      escaped.append(c);
    }
    return escaped.toString();
  }

  private static void restrictToOwner(Path file) throws IOException {
    try {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException notPosix) {
      // Windows and other non-POSIX file systems keep their default ACLs.
    }
  }

  /** @return whether the store was moved in; {@code false} when another creator won the race */
  private static boolean moveIntoPlace(Path temporary, Path target) throws IOException {
    try {
      Files.createLink(target, temporary);
      return true;
    } catch (FileAlreadyExistsException raced) {
      return false;
    } catch (UnsupportedOperationException | IOException noHardLinks) {
      if (Files.exists(target)) {
        return false;
      }
      try {
        Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temporary, target);
      }
      return true;
    }
  }
}
