package org.ferrymq.security;

import java.util.Optional;
import java.util.Set;

/**
 * The server's users: on Liberty the configured user registry (basicRegistry, LDAP...), installed
 * by the web module. Implementations must be thread-safe; they are called on the broker's credential-check threads, several at once.
 */
public interface UserDirectory {

  /**
   * A user as the directory knows it.
   *
   * @param name the directory's canonical name of the user, which ACL {@code user} sections and
   *     {@code %u} patterns are matched on: a registry that accepts {@code ALICE} or
   *     {@code alice } for {@code alice} (LDAP compares names case-insensitively and ignoring
   *     surrounding spaces) answers {@code alice}
   * @param groups the user's groups, the MQTT roles
   */
  record Account(String name, Set<String> groups) {
    public Account {
      java.util.Objects.requireNonNull(name, "name");
      groups = Set.copyOf(groups);
    }
  }

  /**
   * Checks a password. Implementations compare in constant time or delegate to a store that
   * does, and never log or keep the password.
   *
   * @param user the user name as the client typed it
   * @param password the password; the caller wipes it afterwards
   * @return the account, under its canonical name, when the password is right; empty when the
   *     user or password is not
   * @throws CredentialStoreUnavailableException when the store cannot answer
   */
  Optional<Account> authenticate(String user, char[] password);

  /**
   * @param user a user name established otherwise (a certificate subject)
   * @return the user's groups; empty when the user is unknown
   * @throws CredentialStoreUnavailableException when the store cannot answer
   */
  Set<String> groupsOf(String user);
}
