package org.ferrymq.cluster;

import org.ferrymq.engine.DelegatingPersistence;
import org.ferrymq.persistence.Persistence;
import org.ferrymq.persistence.QueueStore;

/**
 * A store that throws, once, when a message is queued for one client: a store that refuses a
 * write instead of holding it, so that client's delivery throws while the others' succeed.
 */
final class RefusingStore extends DelegatingPersistence {
  private volatile String refused;

  RefusingStore(Persistence delegate) {
    super(delegate);
  }

  /** The next message queued for {@code clientId} is refused; later ones are stored. */
  void refuseNextFor(String clientId) {
    refused = clientId;
  }

  @Override
  public QueueStore queues() {
    return queuesWatched((clientId, delivery) -> {
      // packet id 0: queued, not yet sent
      if (clientId.equals(refused) && delivery.packetId() == 0) {
        refused = null;
        throw new IllegalStateException("store refused the write");
      }
    });
  }
}
