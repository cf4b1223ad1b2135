package org.ferrymq.web.security;

import static org.ferrymq.web.security.RegistryUserDirectory.spellingAmong;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * ACL rules name users as the registry spells them, so the account must carry that spelling
 * whatever case the client typed (issue 15, "case tricks in user names gain nothing"). Liberty's
 * basicRegistry answers a case-insensitive user search with its stored names; these are the
 * choices made from that answer. {@code AclIT.caseAndPatternTricksInNamesGainNothing} checks the
 * whole path against a real registry.
 */
class RegistryUserDirectoryTest {

  @Test
  void aNameTypedInAnotherCaseIsTheStoredUser() {
    assertEquals("alice", spellingAmong("ALICE", List.of("alice")));
    assertEquals("Alice", spellingAmong("aLiCe", List.of("alicia", "Alice")));
  }

  @Test
  void aNameStoredAsTypedStaysAsItIs() {
    assertEquals("carol", spellingAmong("carol", List.of("Carol", "carol")));
  }

  @Test
  void twoStoredNamesDifferingOnlyInCaseLeaveTheTypedName() {
    assertEquals("CAROL", spellingAmong("CAROL", List.of("Carol", "carol")));
  }

  @Test
  void searchHitsThatAreOtherUsersAreIgnored() {
    // the search takes the name as a pattern: "a.ice" also finds "alice"
    assertEquals("a.ice", spellingAmong("a.ice", List.of("alice")));
    assertEquals("bob", spellingAmong("bob", List.of()));
  }
}
