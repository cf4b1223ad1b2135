package org.ferrymq.transport.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetector.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LeakDetectionTest {

  private Level before;

  @BeforeEach
  void remember() {
    before = ResourceLeakDetector.getLevel();
    ResourceLeakDetector.setLevel(Level.SIMPLE);
  }

  @AfterEach
  void restore() {
    ResourceLeakDetector.setLevel(before);
  }

  @Test
  void theBrokerTurnsTheDetectorOffWhenNobodyAskedForIt() {
    LeakDetection.offUnless(null);

    assertEquals(Level.DISABLED, ResourceLeakDetector.getLevel());
  }

  @Test
  void anOperatorsLevelIsKept() {
    LeakDetection.offUnless("simple");

    assertEquals(Level.SIMPLE, ResourceLeakDetector.getLevel());
  }

  @Test
  void theUnitTestsRunWithTheDetectorAsNettyDefaultsIt() {
    assertEquals("simple", System.getProperty(LeakDetection.PROPERTY));
  }
}
