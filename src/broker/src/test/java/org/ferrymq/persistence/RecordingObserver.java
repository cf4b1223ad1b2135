package org.ferrymq.persistence;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records what a store tells its observer, as "failed: <fault>" and "recovered". */
public final class RecordingObserver implements StoreObserver {
  public final List<String> seen = new CopyOnWriteArrayList<>();

  @Override
  public void storeFailed(String fault) {
    seen.add("failed: " + fault);
  }

  @Override
  public void storeRecovered() {
    seen.add("recovered");
  }
}
