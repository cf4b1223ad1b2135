package org.ferrymq.persistence.jdbc;

/**
 * A client id as the jdbc tables key it. PostgreSQL's text types cannot hold U+0000, which begins
 * the key of an application's durable session (the broker's own mark, never in a client id
 * [MQTT-1.5.4-2]). Such keys, and the ids that begin with the escape character U+FFFF (a
 * noncharacter, which clients should not use), are stored escaped; every other id as it is, so
 * existing tables keep their keys. The column is only compared, never read back (each record
 * holds its own client id), so a mapping that keeps ids apart is all it needs to be.
 */
final class ClientIdColumn {

  private static final char ESCAPE = '\uFFFF';

  private ClientIdColumn() {
  }

  /** @return the column value: distinct ids give distinct values, none holds U+0000 */
  static String of(String clientId) {
    boolean plain = clientId.indexOf('\u0000') < 0
        && (clientId.isEmpty() || clientId.charAt(0) != ESCAPE);
    if (plain) {
      return clientId;
    }
    StringBuilder escaped = new StringBuilder(clientId.length() + 4).append(ESCAPE);
    for (int i = 0; i < clientId.length(); i++) {
      char c = clientId.charAt(i);
      if (c == '\u0000') {
        escaped.append(ESCAPE).append('0');
      } else if (c == ESCAPE) {
        escaped.append(ESCAPE).append('1');
      } else {
        escaped.append(c);
      }
    }
    return escaped.toString();
  }
}
