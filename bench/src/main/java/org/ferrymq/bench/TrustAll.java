package org.ferrymq.bench;

import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * An SSL context that accepts any server certificate. The tool measures brokers on loopback
 * with self-signed development certificates; it never carries data worth protecting.
 */
final class TrustAll {
  private static volatile SSLContext context;

  private TrustAll() {
  }

  static SSLContext context() {
    SSLContext c = context;
    if (c == null) {
      try {
        c = SSLContext.getInstance("TLS");
        c.init(null, new TrustManager[] {new AcceptAny()}, new SecureRandom());
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("no TLS support in this JDK", e);
      }
      context = c;
    }
    return c;
  }

  private static final class AcceptAny implements X509TrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {
      // server side only
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {
      // any certificate: see the class comment
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
