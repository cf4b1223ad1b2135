package org.ferrymq.engine;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Coverage-guided fuzzing of connection handling: fuzzed byte streams, cut into reads at fuzzed
 * boundaries ({@link Chunks}), go into one broker through an in-memory transport, and after each
 * the broker must have answered, closed and cleaned up as {@link ConnectionContract} says.
 * Seeds and findings: ConnectionFuzzTestInputs/connection in the test resources.
 */
class ConnectionFuzzTest {
  private static ConnectionContract contract;

  @BeforeAll
  static void startBroker() {
    contract = new ConnectionContract();
  }

  @AfterAll
  static void stopBroker() {
    contract.close();
  }

  @FuzzTest(maxDuration = "20s")
  void connection(byte[] input) {
    contract.check(input);
  }
}
