package org.ferrymq.web.security;

import com.ibm.websphere.security.EntryNotFoundException;
import com.ibm.websphere.security.PasswordCheckFailedException;
import com.ibm.websphere.security.UserRegistry;
import java.rmi.RemoteException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import javax.naming.InitialContext;
import javax.naming.NamingException;
import org.ferrymq.security.CredentialStoreUnavailableException;
import org.ferrymq.security.UserDirectory;

/**
 * The server's configured user registry (basicRegistry, ldapRegistry, federated repositories...)
 * as the broker's {@link UserDirectory}. Liberty binds the registry of the appSecurity feature in
 * JNDI as {@code UserRegistry}; it is looked up once, on the container thread that installs it,
 * because the broker calls from its own lanes.
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
   * @throws NamingException when no registry is bound (appSecurity not enabled)
   */
  static RegistryUserDirectory lookup() throws NamingException {
    return new RegistryUserDirectory((UserRegistry) new InitialContext().lookup("UserRegistry"));
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
  public Optional<Set<String>> authenticate(String user, char[] password) {
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
    if (securityName == null) {
      return Optional.empty();
    }
    return Optional.of(groups(securityName));
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
