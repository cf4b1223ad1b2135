package org.ferrymq.engine;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The verdict on a packet in progress, on a clock given by hand. */
class PacketPaceTest {
  private static final long SECOND = 1_000_000_000L;
  private final PacketPace pace = new PacketPace();

  @Test
  @DisplayName("within the grace any rate is fine; after it the average since the first byte "
      + "decides")
  void graceThenAverage() {
    pace.arrived(10, true, SECOND);

    assertFalse(pace.tooSlow(2 * SECOND, 0, 5 * SECOND, 100), "inside the grace");
    assertTrue(pace.tooSlow(7 * SECOND, 0, 5 * SECOND, 100), "10 bytes in 6 s");
    pace.arrived(1000, false, 7 * SECOND);
    assertFalse(pace.tooSlow(7 * SECOND, 0, 5 * SECOND, 100), "1,000 bytes in 6 s");
  }

  @Test
  @DisplayName("time before the broker resumed reading does not count against the client")
  void pausedTimeIsNotCounted() {
    pace.arrived(10, true, SECOND);

    assertFalse(pace.tooSlow(20 * SECOND, 18 * SECOND, 5 * SECOND, 100));
    assertTrue(pace.tooSlow(24 * SECOND, 18 * SECOND, 5 * SECOND, 100));
  }

  @Test
  @DisplayName("a completed packet, a new packet and rate 0 reset or disable the verdict")
  void resets() {
    pace.arrived(10, true, SECOND);
    pace.idle();
    assertFalse(pace.tooSlow(60 * SECOND, 0, 5 * SECOND, 100), "nothing in progress");

    pace.arrived(10, true, 50 * SECOND);
    assertFalse(pace.tooSlow(52 * SECOND, 0, 5 * SECOND, 100), "the new packet's own clock");
    assertFalse(pace.tooSlow(600 * SECOND, 0, 5 * SECOND, 0), "0 disables");
  }
}
