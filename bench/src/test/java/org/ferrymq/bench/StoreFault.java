package org.ferrymq.bench;

import java.nio.file.Path;
import org.ferrymq.persistence.Persistence;
import org.ferrymq.persistence.PersistenceFactory;
import org.ferrymq.persistence.PersistenceMode;
import org.ferrymq.persistence.PersistenceSettings;

/**
 * A fault the soak injects into the broker's store for a while in the middle of the run. The
 * soak builds the broker with {@link #wrap}, calls {@link #begin} when the faulty phase starts and
 * {@link #end} when it is over; the store must then serve the broker as before.
 */
interface StoreFault {

  /** @return the persistent store the broker is built with, in {@code storeDirectory} */
  default Persistence open(Path storeDirectory) {
    return wrap(PersistenceFactory.create(PersistenceSettings.defaults()
        .withMode(PersistenceMode.PERSISTENT).withDirectory(storeDirectory)));
  }

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
