package org.ferrymq.testing;

import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * A TLS client context that accepts any server certificate, for tests that only read which
 * certificate a server presents (certificate renewal) and send nothing over the connection.
 */
public final class AnyServerCertificate {
  private AnyServerCertificate() {
  }

  /** @return a new client context trusting every server */
  public static SSLContext context() throws GeneralSecurityException {
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, new TrustManager[] {new X509TrustManager() {
      @Override
      public void checkClientTrusted(X509Certificate[] chain, String authType) {
        // a client context: never asked
      }

      @Override
      public void checkServerTrusted(X509Certificate[] chain, String authType) {
        // the caller compares the certificate itself
      }

      @Override
      public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
      }
    }}, null);
    return context;
  }
}
