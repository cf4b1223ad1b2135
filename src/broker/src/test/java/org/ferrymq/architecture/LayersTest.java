package org.ferrymq.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.core.importer.Location;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;

/**
 * The product's layers point one way (docs/architecture.md): values at the bottom (packet,
 * topic, message), the codec on them, then configuration, security and the stores, the engine
 * above those, the cluster above the engine (it adapts Hazelcast to the engine's seams), and the
 * hosts on top (the resource adapter with its Netty transport, the web module), with the
 * application API (org.ferrymq.api) standing alone. The transport-neutral engine knows the
 * connection abstraction ({@code transport}), never Netty, Jakarta, Liberty or Hazelcast;
 * nothing in the product uses the benchmark's classes. Only product classes are analysed (tests
 * are not).
 */
@AnalyzeClasses(packages = "org.ferrymq", importOptions = LayersTest.ProductOnly.class)
class LayersTest {

  /**
   * Leaves out test classes wherever the build puts them: ArchUnit's own option knows only
   * {@code target/test-classes}, and scripts build into other directories ({@code -Dbuild.dir}).
   */
  static final class ProductOnly implements ImportOption {
    @Override
    public boolean includes(Location location) {
      return !location.contains("/test-classes/");
    }
  }

  /**
   * No cycles between the top-level packages, with {@code packet} and {@code topic} counted as
   * one layer of protocol values: a packet validates its topic with the topic rules, and the
   * subscription index holds packet values (QoS, subscription options).
   */
  @ArchTest
  static final ArchRule noCyclesBetweenLayers = slices().assignedFrom(new SliceAssignment() {
    @Override
    public SliceIdentifier getIdentifierOf(JavaClass type) {
      String name = type.getPackageName();
      if (!name.startsWith("org.ferrymq.")) {
        return SliceIdentifier.ignore();
      }
      String top = name.substring("org.ferrymq.".length()).split("\\.")[0];
      return SliceIdentifier.of(top.equals("packet") || top.equals("topic") ? "values" : top);
    }

    @Override
    public String getDescription() {
      return "top-level packages of org.ferrymq, packet and topic as one";
    }
  }).should().beFreeOfCycles();

  @ArchTest
  static final ArchRule valuesDependOnNothingAbove = noClasses()
      .that().resideInAnyPackage("org.ferrymq.packet..", "org.ferrymq.topic..",
          "org.ferrymq.message..", "org.ferrymq.stats..")
      .should().dependOnClassesThat().resideInAnyPackage("org.ferrymq.codec..",
          "org.ferrymq.config..", "org.ferrymq.security..", "org.ferrymq.persistence..",
          "org.ferrymq.engine..", "org.ferrymq.transport..", "org.ferrymq.cluster..",
          "org.ferrymq.ra..", "org.ferrymq.web..", "org.ferrymq.bench..");

  @ArchTest
  static final ArchRule theCodecIsBytesInObjectsOut = noClasses()
      .that().resideInAPackage("org.ferrymq.codec..")
      .should().dependOnClassesThat().resideInAnyPackage("org.ferrymq.engine..",
          "org.ferrymq.persistence..", "org.ferrymq.security..", "org.ferrymq.transport..",
          "org.ferrymq.cluster..", "org.ferrymq.ra..", "org.ferrymq.web..", "io.netty..",
          "jakarta..");

  @ArchTest
  static final ArchRule storesAndSecurityDoNotKnowTheEngine = noClasses()
      .that().resideInAnyPackage("org.ferrymq.persistence..", "org.ferrymq.security..",
          "org.ferrymq.config..")
      .should().dependOnClassesThat().resideInAnyPackage("org.ferrymq.engine..",
          "org.ferrymq.cluster..", "org.ferrymq.ra..", "org.ferrymq.web..");

  @ArchTest
  static final ArchRule theEngineIsTransportNeutral = noClasses()
      .that().resideInAPackage("org.ferrymq.engine..")
      .should().dependOnClassesThat().resideInAnyPackage("org.ferrymq.transport.netty..",
          "org.ferrymq.cluster..", "org.ferrymq.ra..", "org.ferrymq.web..", "org.ferrymq.api..",
          "io.netty..", "jakarta..", "com.ibm..", "org.eclipse.microprofile..", "com.hazelcast..");

  /**
   * Hazelcast stays in the cluster layer: the engine sees only its seams (subscription index,
   * peer link, cluster port), so a broker with clustering off loads no Hazelcast class.
   */
  @ArchTest
  static final ArchRule onlyTheClusterLayerUsesHazelcast = noClasses()
      .that().resideOutsideOfPackage("org.ferrymq.cluster..")
      .should().dependOnClassesThat().resideInAPackage("com.hazelcast..");

  /** The cluster adapts the engine to Hazelcast; it knows no host, listener or transport. */
  @ArchTest
  static final ArchRule theClusterSitsBetweenTheEngineAndTheHosts = noClasses()
      .that().resideInAPackage("org.ferrymq.cluster..")
      .should().dependOnClassesThat().resideInAnyPackage("org.ferrymq.ra..",
          "org.ferrymq.web..", "org.ferrymq.transport..", "io.netty..", "jakarta..",
          "org.eclipse.microprofile..");

  /**
   * The application API (ferrymq-api.jar, the only broker classes applications see) stands
   * alone: it uses the JDK and jakarta.resource, nothing of the broker or its libraries.
   */
  @ArchTest
  static final ArchRule theApplicationApiStandsAlone = classes()
      .that().resideInAPackage("org.ferrymq.api..")
      .should().onlyDependOnClassesThat().resideInAnyPackage("org.ferrymq.api..", "java..",
          "jakarta.resource");

  @ArchTest
  static final ArchRule theTransportAbstractionStandsAlone = noClasses()
      .that().resideInAPackage("org.ferrymq.transport")
      .should().dependOnClassesThat().resideInAnyPackage("org.ferrymq.engine..",
          "org.ferrymq.transport.netty..", "org.ferrymq.cluster..", "org.ferrymq.ra..",
          "org.ferrymq.web..");

  @ArchTest
  static final ArchRule theResourceAdapterDoesNotKnowTheWebModule = noClasses()
      .that().resideInAPackage("org.ferrymq.ra..")
      .should().dependOnClassesThat().resideInAPackage("org.ferrymq.web..");

  @ArchTest
  static final ArchRule theProductDoesNotUseTheBenchmark = noClasses()
      .that().resideOutsideOfPackage("org.ferrymq.bench..")
      .should().dependOnClassesThat().resideInAPackage("org.ferrymq.bench..");
}
