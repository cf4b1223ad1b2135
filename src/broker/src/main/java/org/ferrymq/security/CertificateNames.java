package org.ferrymq.security;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.security.auth.x500.X500Principal;

/** Reads one attribute of a certificate's subject, such as CN or UID. Stateless. */
public final class CertificateNames {

  /** Short names for attributes the JDK prints as OIDs. */
  private static final Map<String, String> OID_NAMES = Map.of(
      "1.2.840.113549.1.9.1", "EMAILADDRESS",
      "0.9.2342.19200300.100.1.1", "UID",
      "2.5.4.5", "SERIALNUMBER");

  private CertificateNames() {
  }

  /**
   * @param certificate the client's leaf certificate
   * @param attribute the attribute type, case-insensitive ({@code CN}, {@code UID}, {@code OU}...)
   * @return the most specific value of the attribute, or {@code null} when the subject has none
   */
  public static String attribute(X509Certificate certificate, String attribute) {
    String dn = certificate.getSubjectX500Principal().getName(X500Principal.RFC2253, OID_NAMES);
    List<Rdn> rdns;
    try {
      rdns = new LdapName(dn).getRdns();
    } catch (InvalidNameException e) {
      return null;
    }
    String wanted = attribute.toUpperCase(Locale.ROOT);
    // LdapName lists the least specific RDN first; the subject's own name is the last one.
    for (int i = rdns.size() - 1; i >= 0; i--) {
      Rdn rdn = rdns.get(i);
      if (rdn.getType().toUpperCase(Locale.ROOT).equals(wanted)) {
        String value = String.valueOf(rdn.getValue()).strip();
        return value.isEmpty() ? null : value;
      }
    }
    return null;
  }
}
