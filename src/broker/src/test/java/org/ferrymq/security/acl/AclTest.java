package org.ferrymq.security.acl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import org.ferrymq.config.ConfigException;
import org.ferrymq.security.ClientIdentity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AclTest {

  private static final String RULES = """
      # everyone
      topic read public/#
      topic deny acl/#
      pattern readwrite clients/%c/#
      pattern write users/%u/out
      user alice
      topic readwrite acl/alice/#
      topic read acl/shared/#
      topic deny acl/alice/secret
      role sensors
      topic write acl/sensors/+/temp
      anonymous
      topic read anon/#
      """;

  private static final ClientIdentity ALICE = new ClientIdentity("c-alice", "alice", Set.of());
  private static final ClientIdentity BOB = new ClientIdentity("c-bob", "bob", Set.of("sensors"));
  private static final ClientIdentity ANON = ClientIdentity.anonymous("c-anon");

  @ParameterizedTest(name = "{0} publish {1} -> {2}")
  @CsvSource({
      "alice, acl/alice/x, true",
      "alice, acl/alice/secret, false",
      "alice, acl/shared/x, false",
      "bob, acl/alice/x, false",
      "bob, acl/sensors/k/temp, true",
      "bob, acl/sensors/k/humidity, false",
      "anon, acl/x, false",
      "alice, clients/c-alice/state, true",
      "bob, clients/c-alice/state, false",
      "bob, users/bob/out, true",
      "anon, users/null/out, false",
      "alice, public/news, false",
      "alice, elsewhere, false"})
  void publishDecisions(String who, String topic, boolean expected) {
    // Exercise
    Acl sut = AclParser.parse(RULES, false);

    // Verify
    assertEquals(expected, sut.canPublish(identity(who), topic));
  }

  @ParameterizedTest(name = "{0} subscribe {1} -> {2}")
  @CsvSource({
      "alice, acl/alice/data/#, true",
      "alice, acl/alice/#, true",
      "alice, acl/shared/+, true",
      "alice, acl/#, true",
      "bob, acl/#, false",
      "bob, #, true",
      "anon, anon/+/x, true",
      "anon, public/#, true",
      "alice, public/a/b, true",
      "alice, $share/g/public/a, true",
      "alice, $SYS/#, false",
      "bob, acl/sensors/k/temp, false"})
  void subscribeDecisions(String who, String filter, boolean expected) {
    Acl sut = AclParser.parse(RULES, false);

    assertEquals(expected, sut.canSubscribe(identity(who), filter));
  }

  @ParameterizedTest(name = "{0} receives {1} -> {2}")
  @CsvSource({
      "alice, acl/alice/x, true",
      "alice, acl/alice/secret, false",
      "alice, acl/shared/x, true",
      "alice, acl/other/x, false",
      "bob, acl/sensors/k/temp, false",
      "bob, clients/c-bob/state, true",
      "bob, public/news, true",
      "bob, elsewhere, false",
      "anon, anon/a/x, true"})
  void receiveDecisionsFilterWideSubscriptions(String who, String topic, boolean expected) {
    Acl sut = AclParser.parse(RULES, false);

    // Exercise + Verify: what a subscription such as # actually carries
    assertEquals(expected, sut.canReceive(identity(who), topic));
  }

  @Test
  void denyRefusesASubscriptionOnlyWhenItCoversTheWholeFilter() {
    Acl sut = AclParser.parse(RULES, true);

    // Exercise + Verify: # is accepted, and what it carries is filtered per message
    assertTrue(sut.canSubscribe(BOB, "#"));
    assertFalse(sut.canReceive(BOB, "acl/x"));
    assertTrue(sut.canReceive(BOB, "anything/else"));
    assertFalse(sut.canSubscribe(BOB, "acl/+/x"), "acl/# covers every topic of acl/+/x");
    assertTrue(sut.canPublish(BOB, "anything/else"));
    assertFalse(sut.canPublish(BOB, "acl/x"));
  }

  @Test
  void substitutionRefusesWildcardNames() {
    ClientIdentity sneaky = new ClientIdentity("+", "a/b", Set.of());

    assertEquals(null, Acl.substitute("clients/%c/#", sneaky));
    assertEquals(null, Acl.substitute("users/%u", sneaky));
    assertEquals("users/alice", Acl.substitute("users/%u", ALICE));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      // client id | user   | pattern          | substituted, or empty when the rule is skipped
      "victim      | %c     | users/%u/#       | users/%c/#",
      "%u          | bob    | clients/%c/%u    | clients/%u/bob",
      "c1          | 50%    | users/%u/%c      | users/50%/c1",
      "$SYS        | bob    | %c/#             | ''",
      "c1          | $share | %u/#             | ''",
      "c1          | bob    | a/%x/%c          | a/%x/c1",
      "c1          | bob    | plain/#          | plain/#",
  })
  void substitutionIsOnePassAndRefusesDollarValues(String clientId, String user, String pattern,
      String expected) {
    ClientIdentity client = new ClientIdentity(clientId, user, Set.of());

    // Exercise + Verify: an inserted value is never scanned again
    assertEquals(expected.isEmpty() ? null : expected, Acl.substitute(pattern, client));
  }

  @Test
  void emptyValuesNeverMatch() {
    assertEquals(null, Acl.substitute("clients/%c/#", new ClientIdentity("", "bob", Set.of())));
    assertEquals(null, Acl.substitute("users/%u/#", new ClientIdentity("c", "", Set.of())));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "topic read | line 1: a rule needs a topic filter",
      "topic read a/#/b | line 1: 'a/#/b' is not a valid topic filter",
      "grant read a | line 1: unknown keyword 'grant'",
      "user | line 1: a section needs a name"})
  void invalidLinesNameTheKeyAndLine(String line, String message) {
    ConfigException e = assertThrows(ConfigException.class, () -> AclParser.parse(line, false));

    assertEquals("mqtt.acl.rules", e.key());
    assertTrue(e.getMessage().contains(message), e.getMessage());
  }

  @ParameterizedTest(name = "covers({0}, {1}) = {2}")
  @CsvSource({
      "sensors/#, sensors/+/temp, true",
      "sensors/#, sensors, true",
      "sensors/+, sensors/#, false",
      "+/+, a/b, true",
      "a/b, a/+, false",
      "#, $SYS/#, false",
      "$SYS/#, $SYS/broker/+, true",
      "a/+, a, false"})
  void covers(String outer, String inner, boolean expected) {
    assertEquals(expected, FilterRelations.covers(outer, inner));
  }

  @ParameterizedTest(name = "intersects({0}, {1}) = {2}")
  @CsvSource({
      "a/+/c, a/b/#, true",
      "a/b, a/c/#, false",
      "#, $SYS/x, false",
      "a/#, a, true",
      "+, a/b, false",
      "a/+, +/b, true"})
  void intersects(String a, String b, boolean expected) {
    assertEquals(expected, FilterRelations.intersects(a, b));
    assertEquals(expected, FilterRelations.intersects(b, a));
  }

  @Test
  void emptyAclAnswersTheDefault() {
    assertTrue(Acl.empty(true).canPublish(ANON, "x"));
    assertFalse(Acl.empty(false).canSubscribe(ALICE, "x"));
  }

  private static ClientIdentity identity(String who) {
    return switch (who) {
      case "alice" -> ALICE;
      case "bob" -> BOB;
      default -> ANON;
    };
  }
}
