package org.ferrymq.engine;

import java.util.Collection;
import java.util.Collections;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The sessions of one broker in a {@link ConcurrentHashMap}: the default registry. */
public final class LocalSessionRegistry implements SessionRegistry {
  private final Map<String, SessionHandle> byClientId = new ConcurrentHashMap<>();

  @Override
  public SessionHandle get(String clientId) {
    return byClientId.get(clientId);
  }

  @Override
  public void put(SessionHandle session) {
    byClientId.put(session.clientId(), session);
  }

  @Override
  public boolean remove(SessionHandle session) {
    return byClientId.remove(session.clientId(), session);
  }

  @Override
  public int size() {
    return byClientId.size();
  }

  @Override
  public Collection<SessionHandle> all() {
    return Collections.unmodifiableCollection(byClientId.values());
  }
}
