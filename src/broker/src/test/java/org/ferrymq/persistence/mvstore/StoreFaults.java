package org.ferrymq.persistence.mvstore;

import org.h2.mvstore.DataUtils;
import org.h2.mvstore.MVStoreException;

/** Makes an open embedded store fail the way MVStore fails by itself. */
public final class StoreFaults {
  private StoreFaults() {
  }

  /**
   * MVStore closes itself after an unrecoverable error ("panic"): every later write throws
   * {@link MVStoreException}, as after a failed chunk write on a full disk.
   */
  public static void closeItself(MvStorePersistence store) {
    try {
      store.currentStore().panic(DataUtils.newMVStoreException(DataUtils.ERROR_WRITING_FAILED,
          "Writing to {0} failed (injected)", store.file()));
    } catch (MVStoreException expected) {
      // panic throws what it was given after closing the store
    }
  }
}
