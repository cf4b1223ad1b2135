package org.ferrymq.cluster;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** A join proof shows knowledge of the secret without carrying it. */
class JoinProofTest {
  private static final String SECRET = "0123456789abcdef-secret";

  @Test
  void aMemberWithTheSecretAndClusterNameProvesIt() {
    JoinProof sut = new JoinProof(SECRET, "plant-7");

    assertTrue(sut.verifies(new JoinProof(SECRET, "plant-7").token()));
    assertFalse(sut.token().contains(SECRET), "the secret never crosses the network");
    assertNotEquals(sut.token(), new JoinProof(SECRET, "plant-7").token(), "a fresh nonce");
  }

  @Test
  void anyOtherProofIsRefused() {
    JoinProof sut = new JoinProof(SECRET, "plant-7");
    String token = sut.token();
    String forged = token.substring(0, token.length() - 1)
        + (token.endsWith("A") ? "B" : "A");

    assertFalse(sut.verifies(new JoinProof("another-secret-of-16", "plant-7").token()));
    assertFalse(sut.verifies(new JoinProof(SECRET, "plant-8").token()), "another cluster's");
    assertFalse(sut.verifies(forged));
    assertFalse(sut.verifies(null), "no proof at all");
    assertFalse(sut.verifies(""));
    assertFalse(sut.verifies("no-dot"));
  }
}
