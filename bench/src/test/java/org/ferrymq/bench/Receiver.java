package org.ferrymq.bench;

import java.util.List;

/** A subscriber of a soak group, as the tally sees it: which messages it got from whom. */
interface Receiver {

  /** @return the message numbers received from publisher {@code index} of the group */
  SequenceSet receivedFrom(int index);

  /** @return the QoS 2 messages delivered again, as payload sequences (publisher and number) */
  List<Long> qos2Duplicates();

  /** @return whether this is an independent (Paho) client, not the soak's own */
  boolean isWitness();
}
