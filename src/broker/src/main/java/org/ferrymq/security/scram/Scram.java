package org.ferrymq.security.scram;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.spec.InvalidKeySpecException;
import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

/** The SCRAM-SHA-256 primitives of RFC 5802 section 3 and RFC 7677. Stateless. */
public final class Scram {

  /** The SASL mechanism name, used as the MQTT 5 Authentication Method. */
  public static final String MECHANISM = "SCRAM-SHA-256";
  /** RFC 7677 recommends at least 4096 iterations. */
  public static final int MIN_ITERATIONS = 4096;
  /** What {@link ScramTool} writes; also offered for unknown users, so counts reveal nothing. */
  public static final int DEFAULT_ITERATIONS = 600_000;

  private Scram() {
  }

  /** @return Hi(password, salt, i), i.e. PBKDF2 with HMAC-SHA-256 */
  public static byte[] saltedPassword(char[] password, byte[] salt, int iterations) {
    PBEKeySpec spec = new PBEKeySpec(password, salt, iterations, 256);
    try {
      return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec)
          .getEncoded();
    } catch (NoSuchAlgorithmException | InvalidKeySpecException e) {
      throw new IllegalStateException("PBKDF2WithHmacSHA256 is unavailable", e);
    } finally {
      spec.clearPassword();
    }
  }

  public static byte[] hmac(byte[] key, byte[] data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is unavailable", e);
    }
  }

  public static byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is unavailable", e);
    }
  }

  /** @return ClientKey = HMAC(SaltedPassword, "Client Key") */
  public static byte[] clientKey(byte[] saltedPassword) {
    return hmac(saltedPassword, "Client Key".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
  }

  /** @return ServerKey = HMAC(SaltedPassword, "Server Key") */
  public static byte[] serverKey(byte[] saltedPassword) {
    return hmac(saltedPassword, "Server Key".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
  }

  public static byte[] xor(byte[] a, byte[] b) {
    if (a.length != b.length) {
      throw new IllegalArgumentException("lengths differ");
    }
    byte[] out = new byte[a.length];
    for (int i = 0; i < a.length; i++) {
      out[i] = (byte) (a[i] ^ b[i]);
    }
    return out;
  }

  /**
   * @param saslName a user name as it appears in {@code n=}
   * @return the name with {@code =2C} and {@code =3D} decoded, or null when malformed
   */
  static String decodeName(String saslName) {
    StringBuilder out = new StringBuilder(saslName.length());
    for (int i = 0; i < saslName.length(); i++) {
      char c = saslName.charAt(i);
      if (c == ',') {
        return null;
      }
      if (c != '=') {
        out.append(c);
      } else if (saslName.startsWith("=2C", i)) {
        out.append(',');
        i += 2;
      } else if (saslName.startsWith("=3D", i)) {
        out.append('=');
        i += 2;
      } else {
        return null;
      }
    }
    return out.toString();
  }

  /** @return the name with ',' and '=' escaped for {@code n=} */
  public static String encodeName(String name) {
    return name.replace("=", "=3D").replace(",", "=2C");
  }
}
