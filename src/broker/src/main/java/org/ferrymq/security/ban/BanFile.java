package org.ferrymq.security.ban;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Keeps bans in a small text file, one ban a line: kind, value, time added and reason separated
 * by tabs, each URL-encoded so that no value can break the line. Written whole to a temporary
 * file in the same directory, forced to disk and renamed over the old one, so a crash leaves
 * either the old list or the new one.
 */
public final class BanFile implements BanStore {
  private static final String HEADER = "# FerryMQ bans v1: kind, value, added, reason "
      + "(tab-separated, URL-encoded)";

  private final Path file;

  /** @param file the ban file; its directory is created on the first save */
  public BanFile(Path file) {
    this.file = file;
  }

  @Override
  public List<Ban> load() {
    if (!Files.exists(file)) {
      return List.of();
    }
    List<Ban> bans = new ArrayList<>();
    try {
      int number = 0;
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        number++;
        if (!line.isBlank() && !line.startsWith("#")) {
          bans.add(parse(line, number));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the ban file " + file, e);
    }
    return bans;
  }

  private Ban parse(String line, int number) {
    String[] fields = line.split("\t", -1);
    try {
      if (fields.length != 4) {
        throw new IllegalArgumentException("expected 4 tab-separated fields");
      }
      return new Ban(BanKind.of(decode(fields[0])), decode(fields[1]), decode(fields[3]),
          Instant.parse(decode(fields[2])));
    } catch (RuntimeException e) {
      throw new IllegalStateException("the ban file " + file + " is damaged at line " + number
          + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void save(Collection<Ban> bans) {
    StringBuilder text = new StringBuilder(HEADER).append('\n');
    for (Ban b : bans) {
      text.append(encode(b.kind().label())).append('\t').append(encode(b.value())).append('\t')
          .append(encode(b.createdAt().toString())).append('\t').append(encode(b.reason()))
          .append('\n');
    }
    try {
      Path dir = file.toAbsolutePath().getParent();
      Files.createDirectories(dir);
      Path temp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
      try {
        Files.writeString(temp, text, StandardCharsets.UTF_8);
        try (var channel = java.nio.channels.FileChannel.open(temp,
            java.nio.file.StandardOpenOption.WRITE)) {
          channel.force(true);
        }
        move(temp);
      } finally {
        Files.deleteIfExists(temp);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the ban file " + file, e);
    }
  }

  private void move(Path temp) throws IOException {
    try {
      Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static String decode(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }
}
