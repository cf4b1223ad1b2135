package org.ferrymq.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class PercentilesTest {

  @Test
  void nearestRankOverOneToThousand() {
    Percentiles sut = new Percentiles(4);
    // samples added in reverse, so sorting and growth are both exercised
    for (int i = 1000; i >= 1; i--) {
      sut.add(i);
    }

    assertEquals(1000, sut.count());
    assertEquals(500, sut.percentile(50));
    assertEquals(990, sut.percentile(99));
    assertEquals(999, sut.percentile(99.9));
    assertEquals(1000, sut.percentile(100));
    assertEquals(1, sut.percentile(0.01));
  }

  @Test
  void smallSampleRoundsUp() {
    Percentiles sut = new Percentiles(16);
    sut.add(30);
    sut.add(10);
    sut.add(20);

    // rank ceil(0.5 * 3) = 2; rank ceil(0.999 * 3) = 3
    assertEquals(20, sut.percentile(50));
    assertEquals(30, sut.percentile(99.9));
  }

  @Test
  void addingAfterReadingSortsAgain() {
    Percentiles sut = new Percentiles(16);
    sut.add(5);
    assertEquals(5, sut.percentile(100));

    sut.add(1);

    assertEquals(1, sut.percentile(50));
  }

  @Test
  void emptyAndOutOfRange() {
    Percentiles sut = new Percentiles(16);

    assertEquals(-1, sut.percentile(50));
    assertThrows(IllegalArgumentException.class, () -> sut.percentile(0));
    assertThrows(IllegalArgumentException.class, () -> sut.percentile(100.1));
  }
}
