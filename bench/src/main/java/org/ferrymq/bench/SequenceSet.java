package org.ferrymq.bench;

import java.util.BitSet;

/**
 * The sequence numbers of one publisher's messages that one party has seen: the broker's
 * acknowledgements as the publisher counts them, or the messages one subscriber received. A
 * number seen again is counted as a duplicate, not added twice.
 *
 * <p>Concurrency: one reader thread adds, the thread that runs the scenario reads counts and
 * snapshots; every method is synchronized (uncontended, one lock per message).
 */
final class SequenceSet {
  private final BitSet seen = new BitSet();
  private long count;
  private long duplicates;

  /**
   * Records one sequence number.
   *
   * @return true if it was new, false if it had been seen before (then counted as a duplicate)
   */
  synchronized boolean add(long sequence) {
    if (sequence < 0 || sequence > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("sequence out of range: " + sequence);
    }
    int i = (int) sequence;
    if (seen.get(i)) {
      duplicates++;
      return false;
    }
    seen.set(i);
    count++;
    return true;
  }

  /** @return how many different numbers were seen */
  synchronized long count() {
    return count;
  }

  /** @return how many numbers were seen more than once, counting each repetition */
  synchronized long duplicates() {
    return duplicates;
  }

  /** @return the numbers seen so far, a copy */
  synchronized BitSet snapshot() {
    return (BitSet) seen.clone();
  }
}
