package org.ferrymq.security;

/** The user registry or key source cannot answer now; the client gets Server unavailable. */
public class CredentialStoreUnavailableException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public CredentialStoreUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
