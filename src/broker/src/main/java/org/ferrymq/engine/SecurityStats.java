package org.ferrymq.engine;

import java.util.Map;

/**
 * Security counters since start.
 *
 * @param authRefusals refused logins by reason (every refused CONNECT of the credential stage:
 *     bad credentials, not authorized, throttled, server unavailable or busy...)
 * @param aclDenials topic ACL denials by direction (publish, subscribe, deliver, will)
 * @param willsRefused CONNECTs refused for their Will (topic, limits, ACL, QoS, retain)
 * @param willsDropped Wills not published when due because they were no longer allowed
 */
public record SecurityStats(Map<AuthRefusal, Long> authRefusals,
    Map<AclDirection, Long> aclDenials, long willsRefused, long willsDropped) {
  public SecurityStats {
    authRefusals = Map.copyOf(authRefusals);
    aclDenials = Map.copyOf(aclDenials);
  }
}
