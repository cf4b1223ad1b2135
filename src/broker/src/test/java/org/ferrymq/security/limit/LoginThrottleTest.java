package org.ferrymq.security.limit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The login throttle with a clock moved by hand: 3 failures per 60 s window, back-off up to 8 s. */
class LoginThrottleTest {

  private static final long SECOND = 1_000_000_000L;
  private final AtomicLong now = new AtomicLong(1_000 * SECOND);
  private final LoginThrottle sut = new LoginThrottle(3, 60, 8, 1000, now::get);
  private final List<LogRecord> warnings = new ArrayList<>();
  private final Logger log = Logger.getLogger(LoginThrottle.class.getName());
  private final Handler capture = new Handler() {
    @Override
    public void publish(LogRecord record) {
      if (record.getLevel() == Level.WARNING) {
        warnings.add(record);
      }
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
    }
  };

  @BeforeEach
  void captureLog() {
    log.addHandler(capture);
  }

  @AfterEach
  void releaseLog() {
    log.removeHandler(capture);
  }

  private static InetAddress ip(String literal) throws Exception {
    return InetAddress.getByName(literal);
  }

  private void advance(long seconds) {
    now.addAndGet(seconds * SECOND);
  }

  @Test
  void anAddressIsRefusedAfterItsAllowedFailuresAndRecoversAfterTheBackOff() throws Exception {
    InetAddress a = ip("192.0.2.1");
    sut.failed(a, "u1");
    sut.failed(a, "u2");
    assertNull(sut.check(a, "u4"), "two failures are allowed");

    sut.failed(a, "u3");

    LoginThrottle.Refusal r = sut.check(a, "u4");
    assertNotNull(r, "the third failure starts the back-off");
    assertEquals("address 192.0.2.1", r.what());
    assertNull(sut.check(ip("192.0.2.2"), "u4"), "another address is not affected");
    advance(1);
    assertNull(sut.check(a, "u4"), "the first back-off is 1 s");
  }

  @Test
  void aUserNameIsRefusedAfterFailuresFromManyAddressesAndASuccessClearsIt() throws Exception {
    for (int i = 1; i <= 3; i++) {
      sut.failed(ip("198.51.100." + i), "bob");
    }

    assertEquals("user bob", sut.check(ip("198.51.100.9"), "bob").what());
    assertNull(sut.check(ip("198.51.100.9"), "alice"));
    advance(1);
    assertNull(sut.check(ip("198.51.100.9"), "bob"));
    sut.failed(ip("198.51.100.9"), "bob");
    sut.succeeded("bob");
    sut.failed(ip("198.51.100.10"), "bob");
    sut.failed(ip("198.51.100.11"), "bob");
    assertNull(sut.check(ip("198.51.100.12"), "bob"), "the success reset bob's count");
  }

  @Test
  void spellingsOfOneUserNameShareItsCount() throws Exception {
    // Exercise: three guesses at bob, as an LDAP registry would read them, from three addresses
    sut.failed(ip("198.51.100.21"), "BOB");
    sut.failed(ip("198.51.100.22"), "bob ");
    sut.failed(ip("198.51.100.23"), " Bob");

    // Verify
    assertEquals("user bob", sut.check(ip("198.51.100.24"), "bob").what());
    assertNotNull(sut.check(ip("198.51.100.24"), "bOB"));
    sut.succeeded("Bob");
    assertNull(sut.check(ip("198.51.100.24"), "bob"), "a success clears every spelling");
  }

  @Test
  void theBackOffDoublesPerEpisodeUpToTheMaximumAndDecaysInQuietWindows() throws Exception {
    InetAddress a = ip("203.0.113.5");
    long[] expected = {1, 2, 4, 8, 8};
    for (long seconds : expected) {
      for (int i = 0; i < 3; i++) {
        sut.failed(a, null);
      }
      advance(seconds - 1);
      assertNotNull(sut.check(a, null), "still refused just before " + seconds + " s");
      advance(1);
      assertNull(sut.check(a, null), "free again after " + seconds + " s, never longer");
    }
    // Five quiet windows take the level from 5 down to 0: the next episode is 1 s again
    advance(5 * 60);
    for (int i = 0; i < 3; i++) {
      sut.failed(a, null);
    }
    advance(1);
    assertNull(sut.check(a, null));
  }

  @Test
  void failuresSpreadOverMoreThanAWindowAreNotThrottled() throws Exception {
    InetAddress a = ip("203.0.113.6");
    for (int i = 0; i < 10; i++) {
      sut.failed(a, "carol");
      sut.failed(a, "carol");
      advance(61);
    }
    assertNull(sut.check(a, "carol"));
  }

  @Test
  void eachEpisodeIsLoggedOnceNotEachRefusedAttempt() throws Exception {
    InetAddress a = ip("192.0.2.77");
    for (int i = 0; i < 3; i++) {
      sut.failed(a, "dave" + i);
    }
    for (int i = 0; i < 50; i++) {
      assertNotNull(sut.check(a, "dave"));
    }

    assertEquals(1, warnings.size());
    assertTrue(warnings.get(0).getMessage().contains("192.0.2.77"));
  }

  @Test
  void ipv6SourcesAreCountedPerSlash64() throws Exception {
    sut.failed(ip("2001:db8:1:2::1"), null);
    sut.failed(ip("2001:db8:1:2::ffff"), null);
    sut.failed(ip("2001:db8:1:2:aaaa::3"), null);

    assertEquals("address 2001:db8:1:2::/64", sut.check(ip("2001:db8:1:2::9"), null).what());
    assertNull(sut.check(ip("2001:db8:1:3::1"), null), "another /64 is not affected");
  }

  @Test
  void aMillionDistinctAddressesAndNamesStayWithinTheBoundAndKeepTheRefusingEntries()
      throws Exception {
    InetAddress attacker = ip("192.0.2.200");
    for (int i = 0; i < 3; i++) {
      sut.failed(attacker, "victim");
    }
    byte[] v4 = new byte[4];
    v4[0] = 10;
    // Exercise: one failure each from a million addresses for a million names
    for (int i = 0; i < 1_000_000; i++) {
      v4[1] = (byte) (i >> 16);
      v4[2] = (byte) (i >> 8);
      v4[3] = (byte) i;
      sut.failed(InetAddress.getByAddress(v4), "name-" + i);
      assertTrue(sut.tracked() <= 2 * 1000, "bounded at " + i);
    }

    // Verify: the entries that refuse survived the flood
    assertNotNull(sut.check(attacker, null));
    assertNotNull(sut.check(ip("192.0.2.201"), "victim"));
  }

  @Test
  void zeroFailuresDisablesTheThrottle() throws Exception {
    LoginThrottle off = new LoginThrottle(0, 60, 8, 1000, now::get);
    for (int i = 0; i < 100; i++) {
      off.failed(ip("192.0.2.9"), "x");
    }
    assertNull(off.check(ip("192.0.2.9"), "x"));
    assertEquals(0, off.tracked());
  }
}
