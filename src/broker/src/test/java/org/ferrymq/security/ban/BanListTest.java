package org.ferrymq.security.ban;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ban list: matching by kind, CIDR ranges, and the file that keeps it across restarts. */
class BanListTest {
  @TempDir
  Path dir;

  private static Ban ban(BanKind kind, String value, String reason) {
    return new Ban(kind, value, reason, Instant.parse("2026-12-07T00:00:00Z"));
  }

  private static InetAddress ip(String literal) throws IOException {
    return InetAddress.getByName(literal);
  }

  @Test
  @DisplayName("a list reloaded from its file holds the same bans, reasons with tabs included")
  void reloadsFromFile() throws Exception {
    Path file = dir.resolve("data/bans.txt");
    BanList sut = new BanList(new BanFile(file));
    sut.add(ban(BanKind.CLIENT_ID, "evil/one", "tab\tand\nnewline"));
    sut.add(ban(BanKind.USERNAME, "mallory", ""));
    sut.add(ban(BanKind.ADDRESS, "2001:db8::/32", "v6 range"));
    sut.add(ban(BanKind.ADDRESS, "192.0.2.7", "one host"));
    assertTrue(sut.remove(BanKind.ADDRESS, "192.0.2.7"));

    BanList reloaded = new BanList(new BanFile(file));

    assertEquals(sut.all(), reloaded.all());
    assertEquals(3, reloaded.all().size());
    assertEquals("tab\tand\nnewline", reloaded.match("evil/one", null, null).reason());
    assertEquals("v6 range", reloaded.match("x", null, ip("2001:db8:1::5")).reason());
    assertNull(reloaded.match("x", null, ip("192.0.2.7")), "removed before the reload");
    try (var files = Files.list(file.getParent())) {
      assertEquals(List.of(file), files.toList(), "no temporary file is left behind");
    }
  }

  @Test
  @DisplayName("client ids and user names match exactly; addresses by CIDR range and family")
  void matchesByKind() throws Exception {
    BanList sut = new BanList();
    sut.add(ban(BanKind.CLIENT_ID, "c1", ""));
    sut.add(ban(BanKind.USERNAME, "u1", ""));
    sut.add(ban(BanKind.ADDRESS, "10.0.0.0/9", ""));

    assertEquals(BanKind.CLIENT_ID, sut.match("c1", null, null).kind());
    assertNull(sut.match("C1", null, null), "client ids are case-sensitive");
    assertEquals(BanKind.USERNAME, sut.match("x", "u1", null).kind());
    assertEquals(BanKind.ADDRESS, sut.match("x", null, ip("10.127.255.255")).kind());
    assertNull(sut.match("x", null, ip("10.128.0.0")), "outside the /9");
    assertNull(sut.match("x", null, ip("::1")), "an IPv6 address is never in an IPv4 range");
  }

  @Test
  @DisplayName("host names, bad prefixes and empty values are refused, never resolved")
  void refusesInvalidBans() {
    assertThrows(IllegalArgumentException.class, () -> ban(BanKind.ADDRESS, "example.com", ""));
    assertThrows(IllegalArgumentException.class, () -> ban(BanKind.ADDRESS, "10.0.0.0/33", ""));
    assertThrows(IllegalArgumentException.class, () -> ban(BanKind.ADDRESS, "::/129", ""));
    assertThrows(IllegalArgumentException.class, () -> ban(BanKind.CLIENT_ID, "", ""));
    assertThrows(IllegalArgumentException.class, () -> BanKind.of("ip"));
  }

  @Test
  @DisplayName("a ban that cannot be stored is not put in force")
  void unstoredBanIsNotInForce() {
    BanList sut = new BanList(new BanStore() {
      @Override
      public List<Ban> load() {
        return List.of();
      }

      @Override
      public void save(Collection<Ban> bans) {
        throw new UncheckedIOException(new IOException("disk full"));
      }
    });

    assertThrows(UncheckedIOException.class, () -> sut.add(ban(BanKind.CLIENT_ID, "c", "")));

    assertNull(sut.match("c", null, null));
    assertFalse(sut.remove(BanKind.CLIENT_ID, "c"));
  }

  @Test
  @DisplayName("a damaged file names its line")
  void damagedFileNamesTheLine() throws Exception {
    Path file = dir.resolve("bans.txt");
    Files.writeString(file, "# header\nclientId\tok\t2026-12-07T00:00:00Z\t\nbroken line\n");

    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> new BanList(new BanFile(file)));

    assertTrue(e.getMessage().contains("line 3"), e.getMessage());
  }
}
