package org.ferrymq.clients;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.ferrymq.config.SecurityConfig;
import org.ferrymq.security.BrokerAuthenticator;
import org.ferrymq.security.CredentialStoreUnavailableException;
import org.ferrymq.security.TokenVerifier;
import org.ferrymq.security.UserDirectory;

/**
 * A user directory that behaves like LDAP for names: {@code ALICE} and {@code alice } log in as
 * {@code alice} (case-insensitive, surrounding spaces ignored) and the directory answers its own
 * spelling. Every user's password is {@code pw}; the user {@code down} finds the directory
 * unreachable.
 */
final class LdapLikeDirectory implements UserDirectory {

  private final Map<String, Account> accounts;

  /** @param users the canonical user names with their groups */
  LdapLikeDirectory(Map<String, Set<String>> users) {
    Map<String, Account> byKey = new java.util.HashMap<>();
    users.forEach((name, groups) -> byKey.put(key(name), new Account(name, groups)));
    this.accounts = Map.copyOf(byKey);
  }

  /** @return the broker's authenticator (dev profile) with this directory installed */
  BrokerAuthenticator authenticator() {
    BrokerAuthenticator authenticator = new BrokerAuthenticator(SecurityConfig.defaults());
    authenticator.install(new BrokerAuthenticator.Backends(this, token -> {
      throw new TokenVerifier.InvalidTokenException("no tokens here");
    }));
    return authenticator;
  }

  @Override
  public Optional<Account> authenticate(String user, char[] password) {
    if (key(user).equals("down")) {
      throw new CredentialStoreUnavailableException("directory unreachable", null);
    }
    Account account = accounts.get(key(user));
    return account != null && new String(password).equals("pw") ? Optional.of(account)
        : Optional.empty();
  }

  @Override
  public Set<String> groupsOf(String user) {
    Account account = accounts.get(key(user));
    return account == null ? Set.of() : account.groups();
  }

  private static String key(String name) {
    return name.strip().toLowerCase(Locale.ROOT);
  }
}
