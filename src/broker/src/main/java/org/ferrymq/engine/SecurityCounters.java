package org.ferrymq.engine;

import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Refused logins by reason, ACL denials by direction, and Wills refused or dropped; updated
 * from any lane and the credential-check threads without locks, read as a {@link SecurityStats}.
 */
final class SecurityCounters {
  private final Map<AuthRefusal, LongAdder> authRefusals = adders(AuthRefusal.class);
  private final Map<AclDirection, LongAdder> aclDenials = adders(AclDirection.class);
  private final LongAdder willsRefused = new LongAdder();
  private final LongAdder willsDropped = new LongAdder();

  void authRefused(AuthRefusal reason) {
    authRefusals.get(reason).increment();
  }

  void aclDenied(AclDirection direction) {
    aclDenials.get(direction).increment();
  }

  void willRefused() {
    willsRefused.increment();
  }

  void willDropped() {
    willsDropped.increment();
  }

  SecurityStats snapshot() {
    return new SecurityStats(sums(authRefusals), sums(aclDenials), willsRefused.sum(),
        willsDropped.sum());
  }

  private static <E extends Enum<E>> Map<E, LongAdder> adders(Class<E> type) {
    Map<E, LongAdder> map = new EnumMap<>(type);
    for (E key : type.getEnumConstants()) {
      map.put(key, new LongAdder());
    }
    return map;
  }

  private static <E extends Enum<E>> Map<E, Long> sums(Map<E, LongAdder> adders) {
    Map<E, Long> sums = new HashMap<>();
    adders.forEach((key, adder) -> sums.put(key, adder.sum()));
    return sums;
  }
}
