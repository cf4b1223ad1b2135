package org.ferrymq.security;

import java.util.Optional;
import java.util.Set;

/**
 * The server's users: on Liberty the configured user registry (basicRegistry, LDAP...), installed
 * by the web module. Implementations must be thread-safe; they are called on the broker's credential-check threads, several at once.
 */
public interface UserDirectory {

  /**
   * Checks a password. Implementations compare in constant time or delegate to a store that
   * does, and never log or keep the password.
   *
   * @param user the user name
   * @param password the password; the caller wipes it afterwards
   * @return the user's groups when the password is right, empty when the user or password is not
   * @throws CredentialStoreUnavailableException when the store cannot answer
   */
  Optional<Set<String>> authenticate(String user, char[] password);

  /**
   * @param user a user name established otherwise (a certificate subject)
   * @return the user's groups; empty when the user is unknown
   * @throws CredentialStoreUnavailableException when the store cannot answer
   */
  Set<String> groupsOf(String user);
}
