package org.ferrymq.config;

/** What the ACL does with a topic that no rule decides ({@code mqtt.acl.default}). */
public enum AclDefault {
  /** Follow the profile: allow in dev, deny in secure. */
  PROFILE,
  ALLOW,
  DENY
}
