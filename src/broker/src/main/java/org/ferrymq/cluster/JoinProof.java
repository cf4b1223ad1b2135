package org.ferrymq.cluster;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Proves that a member knows the cluster's shared secret without sending it: each member
 * announces, as a member attribute, a fresh random nonce and the HMAC-SHA256 of the cluster name
 * and that nonce under the secret. The master checks the joiner's proof before admitting it
 * ({@link JoinGuard}); every member checks every other member's. Immutable.
 *
 * <p>What it does not do: Hazelcast's open-source edition sends member traffic in clear text
 * (TLS and symmetric encryption are Enterprise features), so someone who can read that traffic
 * can copy a proof, as they can read every message. docs/cluster.md says where members must run.
 */
final class JoinProof {
  /** The member attribute that carries the proof. */
  static final String ATTRIBUTE = "ferrymq.join-proof";
  private static final SecureRandom RANDOM = new SecureRandom();

  private final byte[] key;
  private final String clusterName;
  private final String token;

  JoinProof(String secret, String clusterName) {
    this.key = secret.getBytes(StandardCharsets.UTF_8);
    this.clusterName = clusterName;
    byte[] nonce = new byte[16];
    RANDOM.nextBytes(nonce);
    String n = Base64.getUrlEncoder().withoutPadding().encodeToString(nonce);
    this.token = n + "." + mac(n);
  }

  /** @return this member's proof, to announce */
  String token() {
    return token;
  }

  /** @return whether a member's announced proof was made with this cluster's secret */
  boolean verifies(String announced) {
    if (announced == null) {
      return false;
    }
    int dot = announced.indexOf('.');
    if (dot <= 0) {
      return false;
    }
    byte[] expected = mac(announced.substring(0, dot)).getBytes(StandardCharsets.US_ASCII);
    byte[] given = announced.substring(dot + 1).getBytes(StandardCharsets.US_ASCII);
    return MessageDigest.isEqual(expected, given);
  }

  private String mac(String nonce) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      byte[] sum = mac.doFinal(("ferrymq-join|" + clusterName + "|" + nonce)
          .getBytes(StandardCharsets.UTF_8));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(sum);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
    }
  }
}
