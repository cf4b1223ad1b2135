package org.ferrymq.clients;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Disconnects and closes the clients a test opened, after the test, whatever its outcome.
 * Registered per test instance.
 */
final class OpenClients implements AfterEachCallback {

  /** How to shut one client down; may throw when the client is already gone. */
  @FunctionalInterface
  interface Shutdown {
    void run() throws Exception;
  }

  private final List<Shutdown> shutdowns = new ArrayList<>();

  /** Remembers how to shut a client down after the test. */
  void add(Shutdown shutdown) {
    shutdowns.add(shutdown);
  }

  @Override
  public void afterEach(ExtensionContext context) {
    for (Shutdown shutdown : shutdowns) {
      try {
        shutdown.run();
      } catch (Exception alreadyGone) {
        // the test outcome is already decided; a client that will not close is not the subject
      }
    }
    shutdowns.clear();
  }
}
