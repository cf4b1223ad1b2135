package org.ferrymq.architecture;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The package table of docs/architecture.md is checked against the compiled product: each row's
 * "depends on" column lists every FerryMQ package that row's classes use, so the document cannot
 * claim a layering the code does not have. Rows that say "everything" (the hosts) are the top.
 */
class ArchitectureTableTest {

  private static final Path DOC = Path.of(System.getProperty("ferrymq.root", "../.."))
      .resolve("docs/architecture.md");
  private static final Pattern ROW = Pattern.compile("^\\| `(org\\.ferrymq\\.[a-z.]+)` \\|.*\\|"
      + " ([^|]*) \\|$");
  private static final Pattern NAME = Pattern.compile("`([a-z]+)(\\.[A-Za-z.]+)?`");

  record Row(String pkg, Set<String> uses) {
  }

  private static List<Row> rows() throws IOException {
    List<Row> rows = new ArrayList<>();
    for (String line : Files.readAllLines(DOC)) {
      Matcher m = ROW.matcher(line);
      if (!m.matches() || m.group(2).startsWith("everything")) {
        continue;
      }
      Set<String> uses = new LinkedHashSet<>();
      Matcher n = NAME.matcher(m.group(2));
      while (n.find()) {
        uses.add(n.group(1));
      }
      rows.add(new Row(m.group(1), uses));
    }
    return rows;
  }

  @Test
  void everyRowNamesAllTheFerryMqPackagesItsClassesUse() throws IOException {
    List<Row> rows = rows();
    assertTrue(rows.size() >= 10, "the package table of " + DOC + " was read: " + rows);
    JavaClasses product = new ClassFileImporter().withImportOption(new LayersTest.ProductOnly())
        .importPackages("org.ferrymq");
    List<String> wrong = new ArrayList<>();

    for (Row r : rows) {
      // a package whose sub-package has a row of its own is checked without it
      boolean hasOwnSubRows = rows.stream().anyMatch(o -> o.pkg().startsWith(r.pkg() + "."));
      String subject = hasOwnSubRows ? r.pkg() : r.pkg() + "..";
      List<String> allowed = new ArrayList<>(List.of(r.pkg() + ".."));
      r.uses().forEach(u -> allowed.add("org.ferrymq." + u + ".."));
      try {
        noClasses().that().resideInAPackage(subject).should().dependOnClassesThat(
            resideInAPackage("org.ferrymq..").and(not(resideInAnyPackage(
                allowed.toArray(String[]::new))))).check(product);
      } catch (AssertionError e) {
        wrong.add(r.pkg() + " uses more than " + r.uses() + ":\n" + e.getMessage());
      }
    }

    assertEquals(List.of(), wrong, "docs/architecture.md's package table is wrong");
  }
}
