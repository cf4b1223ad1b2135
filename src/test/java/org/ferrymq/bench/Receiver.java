package org.ferrymq.bench;

/** A subscriber of a soak group, as the tally sees it: which messages it got from whom. */
interface Receiver {

  /** @return the message numbers received from publisher {@code index} of the group */
  SequenceSet receivedFrom(int index);
}
