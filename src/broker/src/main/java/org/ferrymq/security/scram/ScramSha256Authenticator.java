package org.ferrymq.security.scram;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import org.ferrymq.packet.ReasonCode;
import org.ferrymq.security.ClientIdentity;
import org.ferrymq.security.ConnectRequest;
import org.ferrymq.security.EnhancedAuthenticator;

/**
 * MQTT 5 enhanced authentication with SCRAM-SHA-256 (RFC 5802, RFC 7677), without channel
 * binding:
 *
 * <pre>
 * CONNECT  method SCRAM-SHA-256, data "n,,n=user,r=clientNonce"
 * AUTH 0x18 (server)  "r=clientNonce+serverNonce,s=salt,i=iterations"
 * AUTH 0x18 (client)  "c=biws,r=clientNonce+serverNonce,p=clientProof"
 * CONNACK 0x00        "v=serverSignature"
 * </pre>
 *
 * The password never crosses the wire and the server keeps only StoredKey and ServerKey. An
 * unknown user gets a made-up salt derived from the user name and fails at the proof, exactly
 * like a wrong password, so the exchange does not reveal which users exist. Failures are 0x86 Bad
 * user name or password. Thread-safe: each exchange has its own state.
 */
public final class ScramSha256Authenticator implements EnhancedAuthenticator {

  /** GS2 headers without channel binding: client does not support it, or thinks we do not. */
  private static final String GS2_NO_BINDING = "n,,";
  private static final String GS2_CLIENT_NO_SERVER_SUPPORT = "y,,";

  private final ScramCredentials credentials;
  private final SecureRandom random = new SecureRandom();
  private final byte[] fakeSaltKey = new byte[32];

  public ScramSha256Authenticator(ScramCredentials credentials) {
    this.credentials = credentials;
    random.nextBytes(fakeSaltKey);
  }

  @Override
  public String method() {
    return Scram.MECHANISM;
  }

  @Override
  public Exchange start(ConnectRequest request) {
    return new ScramExchange(request.clientId());
  }

  private final class ScramExchange implements Exchange {
    private final String clientId;
    private ScramCredentials.Entry entry;
    private String user;
    private String gs2Header;
    private String clientFirstBare;
    private String serverFirst;
    private String nonce;
    private boolean finished;

    ScramExchange(String clientId) {
      this.clientId = clientId;
    }

    @Override
    public AuthStep next(byte[] clientData) {
      if (finished) {
        return fail("the exchange is over");
      }
      String message = new String(clientData, StandardCharsets.UTF_8);
      return serverFirst == null ? first(message) : last(message);
    }

    private AuthStep first(String message) {
      String header;
      if (message.startsWith(GS2_NO_BINDING)) {
        header = GS2_NO_BINDING;
      } else if (message.startsWith(GS2_CLIENT_NO_SERVER_SUPPORT)) {
        header = GS2_CLIENT_NO_SERVER_SUPPORT;
      } else {
        return fail("unsupported GS2 header (channel binding or authzid)");
      }
      gs2Header = header;
      clientFirstBare = message.substring(header.length());
      String[] parts = clientFirstBare.split(",");
      if (parts.length < 2 || !parts[0].startsWith("n=") || !parts[1].startsWith("r=")
          || parts[1].length() < 3) {
        return fail("malformed client-first-message");
      }
      user = Scram.decodeName(parts[0].substring(2));
      if (user == null || user.isEmpty()) {
        return fail("malformed user name");
      }
      byte[] serverNonce = new byte[18];
      random.nextBytes(serverNonce);
      nonce = parts[1].substring(2) + Base64.getEncoder().encodeToString(serverNonce);
      entry = credentials.find(user).orElse(null);
      byte[] salt = entry != null ? entry.salt()
          : Scram.hmac(fakeSaltKey, user.getBytes(StandardCharsets.UTF_8));
      int iterations = entry != null ? entry.iterations() : Scram.DEFAULT_ITERATIONS;
      serverFirst = "r=" + nonce + ",s=" + Base64.getEncoder().encodeToString(salt) + ",i="
          + iterations;
      return new AuthStep.Continue(serverFirst.getBytes(StandardCharsets.UTF_8));
    }

    private AuthStep last(String message) {
      finished = true;
      int proofAt = message.lastIndexOf(",p=");
      if (proofAt < 0) {
        return fail("malformed client-final-message");
      }
      String withoutProof = message.substring(0, proofAt);
      String[] parts = withoutProof.split(",");
      String expectedBinding = "c=" + Base64.getEncoder().encodeToString(
          gs2Header.getBytes(StandardCharsets.US_ASCII));
      if (parts.length < 2 || !parts[0].equals(expectedBinding)
          || !parts[1].equals("r=" + nonce)) {
        return fail("channel binding or nonce mismatch");
      }
      byte[] proof;
      try {
        proof = Base64.getDecoder().decode(message.substring(proofAt + 3));
      } catch (IllegalArgumentException e) {
        return fail("malformed proof");
      }
      if (entry == null || proof.length != 32) {
        return fail("wrong user name or password");
      }
      byte[] authMessage = (clientFirstBare + "," + serverFirst + "," + withoutProof)
          .getBytes(StandardCharsets.UTF_8);
      byte[] clientSignature = Scram.hmac(entry.storedKey(), authMessage);
      byte[] clientKey = Scram.xor(proof, clientSignature);
      if (!MessageDigest.isEqual(Scram.sha256(clientKey), entry.storedKey())) {
        return fail("wrong user name or password");
      }
      byte[] serverSignature = Scram.hmac(entry.serverKey(), authMessage);
      String serverFinal = "v=" + Base64.getEncoder().encodeToString(serverSignature);
      return new AuthStep.Success(new ClientIdentity(clientId, user, entry.roles()),
          serverFinal.getBytes(StandardCharsets.UTF_8));
    }

    private AuthStep fail(String why) {
      finished = true;
      return new AuthStep.Failure(ReasonCode.BAD_USER_NAME_OR_PASSWORD,
          Scram.MECHANISM + " failed" + (user == null ? "" : " for user '" + user + "'") + ": "
              + why);
    }
  }
}
