package org.ferrymq.persistence;

/**
 * A store that cannot be opened or used: damaged, written by a newer version, locked by another
 * process, or failing I/O. The message names the file (or database) and what to do.
 */
public class PersistenceException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public PersistenceException(String message) {
    super(message);
  }

  public PersistenceException(String message, Throwable cause) {
    super(message, cause);
  }
}
