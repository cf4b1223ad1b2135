package org.ferrymq.engine;

import java.util.Locale;

/** Which question the topic ACL answered no to, as counted in {@code ferrymq_acl_denials}. */
public enum AclDirection {
  /** A PUBLISH to a topic the client may not write. */
  PUBLISH,
  /** A SUBSCRIBE to a filter the client may not read. */
  SUBSCRIBE,
  /** A message withheld from a subscriber that may not read its topic. */
  DELIVER,
  /** A Will the client may not publish: refused at CONNECT or dropped when it was due. */
  WILL;

  /** @return the lower-case name used as a metric label, e.g. {@code deliver} */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
