package org.ferrymq.security.scram;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

/** The client side of SCRAM-SHA-256, for tests (unit and integration). */
public final class ScramClient {

  private final String user;
  private final char[] password;
  private final String clientNonce;
  private String clientFirstBare;
  private byte[] serverSignature;

  public ScramClient(String user, char[] password) {
    this.user = user;
    this.password = password.clone();
    byte[] nonce = new byte[18];
    new SecureRandom().nextBytes(nonce);
    this.clientNonce = Base64.getEncoder().encodeToString(nonce);
  }

  /** @return the client-first-message, for CONNECT's Authentication Data */
  public byte[] first() {
    clientFirstBare = "n=" + Scram.encodeName(user) + ",r=" + clientNonce;
    return ("n,," + clientFirstBare).getBytes(StandardCharsets.UTF_8);
  }

  /** @return the client-final-message answering the server-first-message */
  public byte[] last(byte[] serverFirstBytes) {
    String serverFirst = new String(serverFirstBytes, StandardCharsets.UTF_8);
    String nonce = null;
    byte[] salt = null;
    int iterations = 0;
    for (String part : serverFirst.split(",")) {
      if (part.startsWith("r=")) {
        nonce = part.substring(2);
      } else if (part.startsWith("s=")) {
        salt = Base64.getDecoder().decode(part.substring(2));
      } else if (part.startsWith("i=")) {
        iterations = Integer.parseInt(part.substring(2));
      }
    }
    if (nonce == null || !nonce.startsWith(clientNonce)) {
      throw new IllegalStateException("the server changed the client nonce");
    }
    String withoutProof = "c=biws,r=" + nonce;
    byte[] authMessage = (clientFirstBare + "," + serverFirst + "," + withoutProof)
        .getBytes(StandardCharsets.UTF_8);
    byte[] salted = Scram.saltedPassword(password, salt, iterations);
    byte[] clientKey = Scram.clientKey(salted);
    byte[] proof = Scram.xor(clientKey, Scram.hmac(Scram.sha256(clientKey), authMessage));
    serverSignature = Scram.hmac(Scram.serverKey(salted), authMessage);
    return (withoutProof + ",p=" + Base64.getEncoder().encodeToString(proof))
        .getBytes(StandardCharsets.UTF_8);
  }

  /** @return whether the server-final-message proves the server knew the verifier */
  public boolean serverVerified(byte[] serverFinal) {
    String expected = "v=" + Base64.getEncoder().encodeToString(serverSignature);
    return MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8), serverFinal);
  }
}
