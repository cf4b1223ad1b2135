package org.ferrymq.persistence.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The jdbc key of a client id: no U+0000 for PostgreSQL, and distinct ids stay distinct. */
class ClientIdColumnTest {

  @Test
  void ordinaryIdsAreKeptAsTheyAreSoExistingTablesStillMatch() {
    for (String id : List.of("sensor-1", "", "a/b", "\u0001x", "caf\u00e9", "x\uFFFF")) {
      assertEquals(id, ClientIdColumn.of(id));
    }
  }

  @Test
  void noValueHoldsU0000AndDistinctIdsGiveDistinctValues() {
    List<String> ids = List.of("\u0000session/app/Bean", "\u0000", "\uFFFF", "\uFFFF0",
        "\uFFFF\u0000", "\u0000\uFFFF", "\uFFFF1", "\uFFFF\uFFFF", "session/app/Bean", "0", "1",
        "\uFFFF" + "0session/app/Bean");
    Set<String> values = ids.stream().map(ClientIdColumn::of).collect(Collectors.toSet());

    assertEquals(ids.size(), values.size(), "two ids share a key: " + values);
    assertTrue(values.stream().noneMatch(v -> v.indexOf('\u0000') >= 0), values.toString());
  }
}
