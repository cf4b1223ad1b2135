package org.ferrymq.security.limit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ConnectionRateLimiterTest {

  private final AtomicLong now = new AtomicLong(1_000_000_000L);

  @Test
  void burstThenRatePerAddress() throws Exception {
    ConnectionRateLimiter sut = new ConnectionRateLimiter(2, 3, now::get);
    InetAddress a = InetAddress.getByName("192.0.2.1");
    InetAddress b = InetAddress.getByName("192.0.2.2");

    // Exercise + Verify: three at once, the fourth refused; another address is independent
    assertTrue(sut.tryAcquire(a));
    assertTrue(sut.tryAcquire(a));
    assertTrue(sut.tryAcquire(a));
    assertFalse(sut.tryAcquire(a));
    assertTrue(sut.tryAcquire(b));

    // half a second later one token (2/s) is back
    now.addAndGet(500_000_000L);
    assertTrue(sut.tryAcquire(a));
    assertFalse(sut.tryAcquire(a));

    // never more than the burst, however long the pause
    now.addAndGet(3_600_000_000_000L);
    for (int i = 0; i < 3; i++) {
      assertTrue(sut.tryAcquire(a));
    }
    assertFalse(sut.tryAcquire(a));
  }

  @Test
  void idleAddressesAreForgottenWhenTheTableIsFull() throws Exception {
    ConnectionRateLimiter sut = new ConnectionRateLimiter(1, 1, now::get);
    for (int i = 0; i <= ConnectionRateLimiter.TABLE_LIMIT; i++) {
      sut.tryAcquire(InetAddress.getByAddress(new byte[] {10, (byte) (i >> 16), (byte) (i >> 8),
          (byte) i}));
    }
    now.addAndGet(2_000_000_000L);

    // Exercise
    sut.tryAcquire(InetAddress.getByName("192.0.2.9"));

    // Verify
    assertEquals(1, sut.tracked());
  }
}
