package it.org.ferrymq;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.ferrymq.testing.AnyServerCertificate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The product ships only product (issue 16): the WAR and the RAR the server deploys, with every
 * jar inside them, hold no class of the load generator, of the example application or of the
 * tests; the application API jar holds org.ferrymq.api and nothing else, and the RAR leaves it
 * to the server's library (issue 17). Needs the packaged archives, not the running server.
 */
class ProductArchivesIT {

  private static final Path WAR = Path.of(System.getProperty("ferrymq.war"));
  private static final Path RAR = Path.of(System.getProperty("ferrymq.rar"));
  private static final Path API = Path.of(System.getProperty("ferrymq.api"));
  /** Packages that are not product, and the names the build gives test classes. */
  private static final Pattern NOT_PRODUCT = Pattern.compile(
      "^org/ferrymq/((bench|example|web/example)/|.*(Test|IT)(\\$[^/]*)?\\.class$)");

  /** One class file in an archive, possibly inside a jar the archive holds. */
  record Entry(String archive, String classFile) {
    @Override
    public String toString() {
      return archive + ": " + classFile;
    }
  }

  @Test
  void theWarHoldsTheWebModuleOnly() throws Exception {
    // Exercise
    List<Entry> classes = classes(WAR);

    // Verify
    assertTrue(classes.contains(new Entry(WAR.getFileName().toString(),
        "org/ferrymq/web/MqttWebSocketEndpoint.class")), "no WebSocket endpoint in " + WAR);
    assertEquals(List.of(), notProduct(classes));
    assertEquals(List.of(), classes.stream()
        .filter(c -> !c.classFile().startsWith("org/ferrymq/web/")).toList(),
        "a second copy of the broker in the WAR would be a second broker");
  }

  @Test
  void theRarHoldsTheBrokerAndItsLibrariesOnly() throws Exception {
    // Exercise
    List<Entry> classes = classes(RAR);

    // Verify
    assertTrue(classes.contains(new Entry(RAR.getFileName() + "!/ferrymq-broker.jar",
        "org/ferrymq/ra/FerryResourceAdapter.class")), "no resource adapter in " + RAR);
    assertEquals(List.of(), notProduct(classes));
    assertEquals(List.of(), classes.stream()
        .filter(c -> c.classFile().startsWith("org/ferrymq/api/")).toList(),
        "a copy of the API in the RAR would shadow the shared library's for the adapter");
  }

  @Test
  void theApiJarHoldsTheApplicationApiOnly() throws Exception {
    // Exercise
    List<Entry> classes = classes(API);

    // Verify
    assertTrue(classes.contains(new Entry(API.getFileName().toString(),
        "org/ferrymq/api/MqttMessageListener.class")), "no listener interface in " + API);
    assertEquals(List.of(), classes.stream()
        .filter(c -> !c.classFile().startsWith("org/ferrymq/api/")).toList(),
        "applications must see the API only, not the engine, Netty or H2");
  }

  @Test
  void theCheckFindsForeignClassesInANestedJar(@TempDir Path dir) throws Exception {
    Path archive = dir.resolve("sample.rar");
    try (ZipOutputStream rar = new ZipOutputStream(Files.newOutputStream(archive))) {
      rar.putNextEntry(new ZipEntry("lib.jar"));
      rar.write(jar("org/ferrymq/engine/MqttBroker.class", "org/ferrymq/bench/BenchMain.class",
          "org/ferrymq/example/ExampleMessageBean.class",
          "org/ferrymq/codec/MqttDecoderTest$Nested.class"));
      rar.putNextEntry(new ZipEntry("WEB-INF/classes/org/ferrymq/testing/AnyServerCertificate.class"));
    }

    // Exercise
    List<Entry> found = notProduct(classes(archive));

    // Verify
    assertEquals(List.of("sample.rar!/lib.jar: org/ferrymq/bench/BenchMain.class",
        "sample.rar!/lib.jar: org/ferrymq/example/ExampleMessageBean.class",
        "sample.rar!/lib.jar: org/ferrymq/codec/MqttDecoderTest$Nested.class",
        "sample.rar: org/ferrymq/testing/AnyServerCertificate.class"),
        found.stream().map(Entry::toString).toList());
  }

  private static List<Entry> notProduct(List<Entry> classes) throws IOException {
    Set<String> testClasses = brokerTestClasses();
    return classes.stream().filter(c -> NOT_PRODUCT.matcher(c.classFile()).find()
        || testClasses.contains(c.classFile())).toList();
  }

  /** Every class file of the broker's test helpers (ferrymq-broker-tests.jar on this classpath). */
  private static Set<String> brokerTestClasses() throws IOException {
    Path location;
    try {
      location = Path.of(AnyServerCertificate.class.getProtectionDomain().getCodeSource()
          .getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new IOException(e);
    }
    Set<String> names = new HashSet<>();
    if (Files.isDirectory(location)) {
      try (Stream<Path> files = Files.walk(location)) {
        files.filter(f -> f.toString().endsWith(".class"))
            .forEach(f -> names.add(location.relativize(f).toString().replace('\\', '/')));
      }
    } else {
      classes(location).forEach(c -> names.add(c.classFile()));
    }
    assertTrue(names.contains("org/ferrymq/testing/AnyServerCertificate.class"), location::toString);
    return names;
  }

  /** The class files of an archive and of the jars inside it, as paths from their package root. */
  static List<Entry> classes(Path archive) throws IOException {
    try (InputStream in = Files.newInputStream(archive)) {
      List<Entry> found = new ArrayList<>();
      collect(new ZipInputStream(in), archive.getFileName().toString(), found);
      return found;
    }
  }

  private static void collect(ZipInputStream zip, String where, List<Entry> found)
      throws IOException {
    for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
      String name = e.getName();
      if (name.endsWith(".jar")) {
        // Not closed: closing it would close the enclosing archive's stream
        collect(new ZipInputStream(zip), where + "!/" + name, found);
      } else if (name.endsWith(".class")) {
        found.add(new Entry(where, name.startsWith("WEB-INF/classes/")
            ? name.substring("WEB-INF/classes/".length()) : name));
      }
    }
  }

  private static byte[] jar(String... classFiles) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream jar = new ZipOutputStream(bytes)) {
      for (String classFile : classFiles) {
        jar.putNextEntry(new ZipEntry(classFile));
      }
    }
    return bytes.toByteArray();
  }
}
