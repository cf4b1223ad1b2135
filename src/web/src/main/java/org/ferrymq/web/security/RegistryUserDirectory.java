package org.ferrymq.web.security;

import com.ibm.websphere.security.EntryNotFoundException;
import com.ibm.websphere.security.PasswordCheckFailedException;
import com.ibm.websphere.security.UserRegistry;
import com.ibm.websphere.security.WSSecurityException;
import com.ibm.wsspi.security.registry.RegistryHelper;
import java.rmi.RemoteException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.ferrymq.security.CredentialStoreUnavailableException;
import org.ferrymq.security.UserDirectory;

/**
 * The server's configured user registry (basicRegistry, ldapRegistry, federated repositories...)
 * as the broker's {@link UserDirectory}, obtained from Liberty's {@link RegistryHelper} (IBM API,
 * feature appSecurity). It is obtained once, on the container thread that installs it, because
 * the broker calls from its own lanes.
 *
 * <p>{@link UserRegistry#checkPassword} takes the password as a String, so the password exists as
 * an immutable String for the duration of the call; it is never logged or kept. Thread-safe as
 * far as the registry is (Liberty's registries are).
 */
final class RegistryUserDirectory implements UserDirectory {

  private final UserRegistry registry;

  private RegistryUserDirectory(UserRegistry registry) {
    this.registry = registry;
  }

  /**
   * @return the directory over the server's registry
   * @throws WSSecurityException when no registry is configured (appSecurity not enabled)
   */
  static RegistryUserDirectory lookup() throws WSSecurityException {
    UserRegistry registry = RegistryHelper.getUserRegistry(null);
    if (registry == null) {
      throw new WSSecurityException("no user registry is configured");
    }
    return new RegistryUserDirectory(registry);
  }

  /** @return the registry's realm, for the startup log */
  String realm() {
    try {
      return registry.getRealm();
    } catch (Exception e) {
      return "unknown realm";
    }
  }

  @Override
  public Optional<Account> authenticate(String user, char[] password) {
    if (user.isEmpty() || password.length == 0) {
      return Optional.empty();
    }
    String securityName;
    try {
      securityName = registry.checkPassword(user, new String(password));
    } catch (PasswordCheckFailedException e) {
      return Optional.empty();
    } catch (com.ibm.websphere.security.CustomRegistryException | RemoteException
        | RuntimeException e) {
      throw new CredentialStoreUnavailableException("the user registry failed: " + e, e);
    }
    if (securityName == null || securityName.isEmpty()) {
      return Optional.empty();
    }
    // checkPassword answers the registry's user security name: for an LDAP registry, which
    // matches the typed name case-insensitively, the name as the directory spells it
    return Optional.of(new Account(securityName, groups(securityName)));
  }

  @Override
  public Set<String> groupsOf(String user) {
    try {
      if (!registry.isValidUser(user)) {
        return Set.of();
      }
      return groups(user);
    } catch (com.ibm.websphere.security.CustomRegistryException | RemoteException
        | RuntimeException e) {
      throw new CredentialStoreUnavailableException("the user registry failed: " + e, e);
    }
  }

  private Set<String> groups(String securityName) {
    try {
      List<?> groups = registry.getGroupsForUser(securityName);
      Set<String> names = new LinkedHashSet<>();
      for (Object group : groups) {
        names.add(String.valueOf(group));
      }
      return names;
    } catch (EntryNotFoundException e) {
      return Set.of();
    } catch (com.ibm.websphere.security.CustomRegistryException | RemoteException
        | RuntimeException e) {
      throw new CredentialStoreUnavailableException("the user registry failed: " + e, e);
    }
  }
}
