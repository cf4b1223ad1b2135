package org.ferrymq.engine;

import org.ferrymq.security.Authorizer;
import org.ferrymq.security.ClientIdentity;

/**
 * The configured {@link Authorizer} with every denial counted by direction, so each path that
 * asks (PUBLISH, SUBSCRIBE, every delivery, the Will at CONNECT and when due) is counted the
 * same way without each caller remembering to. Thread-safe as far as the delegate is.
 */
final class CountingAuthorizer implements Authorizer {
  private final Authorizer delegate;
  private final SecurityCounters counters;

  CountingAuthorizer(Authorizer delegate, SecurityCounters counters) {
    this.delegate = delegate;
    this.counters = counters;
  }

  @Override
  public boolean canPublish(ClientIdentity client, String topic) {
    return counted(delegate.canPublish(client, topic), AclDirection.PUBLISH);
  }

  @Override
  public boolean canSubscribe(ClientIdentity client, String filter) {
    return counted(delegate.canSubscribe(client, filter), AclDirection.SUBSCRIBE);
  }

  @Override
  public boolean canReceive(ClientIdentity client, String topic) {
    return counted(delegate.canReceive(client, topic), AclDirection.DELIVER);
  }

  /** The write permission asked for a Will, counted as a Will denial. */
  boolean canPublishWill(ClientIdentity client, String topic) {
    return counted(delegate.canPublish(client, topic), AclDirection.WILL);
  }

  private boolean counted(boolean allowed, AclDirection direction) {
    if (!allowed) {
      counters.aclDenied(direction);
    }
    return allowed;
  }
}
