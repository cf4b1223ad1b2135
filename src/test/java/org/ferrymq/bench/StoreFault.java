package org.ferrymq.bench;

import org.ferrymq.persistence.Persistence;

/**
 * A fault the soak injects into the broker's store for a while in the middle of the run. The
 * soak builds the broker with {@link #wrap}, calls {@link #begin} when the faulty phase starts and
 * {@link #end} when it is over; the store must then serve the broker as before.
 */
interface StoreFault {

  /** @return the store to build the broker with, delegating to {@code store} */
  Persistence wrap(Persistence store);

  void begin();

  void end();

  /** @return no fault: the store serves throughout, to tell the fault's effects from others */
  static StoreFault none() {
    return new StoreFault() {
      @Override
      public Persistence wrap(Persistence store) {
        return store;
      }

      @Override
      public void begin() {
        // no fault
      }

      @Override
      public void end() {
        // no fault
      }

      @Override
      public String describe() {
        return "none (soak.fault=false)";
      }
    };
  }

  /** @return what the fault did, for the summary, e.g. how many writes it refused */
  String describe();
}
