package org.ferrymq.architecture;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.ferrymq.persistence.EngineInTheStoreFixture;
import org.junit.jupiter.api.Test;

/**
 * The test of {@link LayersTest}: each rule fails on a class that breaks it. The fixtures live in
 * test code, which {@code LayersTest} leaves out, so only these tests see them.
 */
class LayerRulesCatchViolationsTest {

  /** The product of the two packages plus one fixture, as if it had been committed. */
  private static JavaClasses productAnd(String fixture, String... packages) {
    ImportOption productOrFixture = location -> !location.contains("/test-classes/")
        || location.contains(fixture.replace('.', '/') + ".class");
    return new ClassFileImporter().withImportOption(productOrFixture).importPackages(packages);
  }

  @Test
  void aNettyTypeInTheEngineBreaksTheTransportNeutralRule() {
    JavaClasses withFixture = productAnd("org.ferrymq.engine.NettyInTheEngineFixture",
        "org.ferrymq.engine");

    AssertionError e = assertThrows(AssertionError.class,
        () -> LayersTest.theEngineIsTransportNeutral.check(withFixture));

    assertTrue(e.getMessage().contains("NettyInTheEngineFixture"), e.getMessage());
    assertTrue(e.getMessage().contains("io.netty"), e.getMessage());
  }

  @Test
  void aStoreThatUsesTheEngineBreaksTheStoreRuleAndMakesACycle() {
    JavaClasses withFixture = productAnd(EngineInTheStoreFixture.class.getName(),
        "org.ferrymq.engine", "org.ferrymq.persistence");

    AssertionError rule = assertThrows(AssertionError.class,
        () -> LayersTest.storesAndSecurityDoNotKnowTheEngine.check(withFixture));
    AssertionError cycle = assertThrows(AssertionError.class,
        () -> LayersTest.noCyclesBetweenLayers.check(withFixture));

    assertTrue(rule.getMessage().contains("EngineInTheStoreFixture"), rule.getMessage());
    assertTrue(cycle.getMessage().contains("EngineInTheStoreFixture"), cycle.getMessage());
  }

  @Test
  void theProductAloneKeepsEveryRule() {
    JavaClasses product = productAnd("(no fixture)", "org.ferrymq.engine",
        "org.ferrymq.persistence");

    LayersTest.theEngineIsTransportNeutral.check(product);
    LayersTest.storesAndSecurityDoNotKnowTheEngine.check(product);
    LayersTest.noCyclesBetweenLayers.check(product);
  }
}
