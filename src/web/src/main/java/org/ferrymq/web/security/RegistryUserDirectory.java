package org.ferrymq.web.security;

import com.ibm.websphere.security.EntryNotFoundException;
import com.ibm.websphere.security.PasswordCheckFailedException;
import com.ibm.websphere.security.Result;
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

  RegistryUserDirectory(UserRegistry registry) {
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
    String canonical = canonical(securityName);
    return Optional.of(new Account(canonical, groups(canonical)));
  }

  /**
   * The user's name as the registry spells it. checkPassword answers a security name, but a
   * registry that matches names case-insensitively may answer it as typed: "ALICE" would then
   * escape the ACL rules of alice. An LDAP registry gives its own spelling through the unique id
   * (the entry's DN) and back; Liberty's basicRegistry with ignoreCaseForAuthentication returns
   * the typed name there too, but its user search ignores case, so the one stored name equal to
   * it but for case is the spelling. Two stored names differing only in case stay as typed.
   */
  private String canonical(String securityName) {
    try {
      String spelled = registry.getUserSecurityName(registry.getUniqueUserId(securityName));
      if (spelled == null || spelled.isEmpty()) {
        spelled = securityName;
      }
      return storedSpelling(spelled);
    } catch (EntryNotFoundException e) {
      return securityName;
    } catch (com.ibm.websphere.security.CustomRegistryException | RemoteException
        | RuntimeException e) {
      throw new CredentialStoreUnavailableException("the user registry failed: " + e, e);
    }
  }

  private String storedSpelling(String name)
      throws com.ibm.websphere.security.CustomRegistryException, RemoteException {
    Result found = registry.getUsers(name, 4);
    return spellingAmong(name, found == null ? List.of() : found.getList());
  }

  /**
   * @return {@code name} as one of the {@code stored} names spells it: itself when stored as is,
   *     the only stored name equal to it but for case, else {@code name} unchanged
   */
  static String spellingAmong(String name, List<?> stored) {
    String only = null;
    for (Object candidate : stored) {
      String spelled = String.valueOf(candidate);
      if (spelled.equals(name)) {
        return name;
      }
      if (spelled.equalsIgnoreCase(name)) {
        if (only != null) {
          return name;
        }
        only = spelled;
      }
    }
    return only != null ? only : name;
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
