package org.ferrymq.persistence.common;

import java.util.function.Supplier;
import java.util.logging.Logger;
import org.ferrymq.persistence.PersistenceException;

/**
 * The checks a durable store runs when it opens, worded for that store: its format version
 * (refuse a newer or unreadable one, upgrade an older one in place) and the checksum of every
 * record. A refusal is a {@link PersistenceException} that names the store and says how to
 * repair it or start empty.
 *
 * @param formatHolder what holds the format version, e.g. {@code Store file /data/ferrymq.mv.db}
 * @param storeHas the store and its verb, e.g. {@code The FerryMQ tables in jdbc:... have}
 * @param damagedPart the part that a damaged record is in, e.g. {@code A FerryMQ table in ...}
 * @param repair how to repair one damaged record, e.g. {@code Repair or delete the row}
 * @param startEmpty how to start empty instead, e.g. {@code move the directory away to start
 *     empty}
 */
public record StoreChecks(String formatHolder, String storeHas, String damagedPart,
    String repair, String startEmpty) {

  private static final Logger LOG = Logger.getLogger(StoreChecks.class.getName());

  /**
   * Checks the stored format version against {@link DurablePersistence#FORMAT_VERSION}.
   *
   * @param stored the stored version, or {@code null} for a new store
   * @return whether the current version must be written: a new store, or an older one whose
   *     records stay readable (by their layout's branch) while new ones get the current layout
   * @throws PersistenceException for an unreadable or newer version
   */
  public boolean formatNeedsWriting(String stored) {
    if (stored == null) {
      return true;
    }
    int version;
    try {
      version = Integer.parseInt(stored);
    } catch (NumberFormatException e) {
      throw new PersistenceException(formatHolder + " has an unreadable format version '"
          + stored + "'; refusing to use it.", e);
    }
    int current = DurablePersistence.FORMAT_VERSION;
    if (version > current) {
      throw new PersistenceException(storeHas + " format version " + version + ", written by "
          + "a newer FerryMQ; this version reads format " + current + " and older. Run the "
          + "newer FerryMQ, or " + startEmpty + ".");
    }
    if (version < current) {
      LOG.info(() -> formatHolder + " upgraded from format " + version + " to " + current);
      return true;
    }
    return false;
  }

  /**
   * Reads one stored record's layout and checksum.
   *
   * @param kind {@link RecordCodec#sessionKind()}, {@link RecordCodec#deliveryKind()} or
   *     {@link RecordCodec#messageKind()}
   * @param which names the record when it is damaged, e.g. {@code record 'c1' in sessions}
   * @throws PersistenceException naming the store, the record and the damage
   */
  public void verify(byte[] record, int kind, Supplier<String> which) {
    try {
      RecordCodec.verify(record, kind);
    } catch (RecordFormatException e) {
      throw new PersistenceException(damagedPart + " is damaged: " + which.get() + ": "
          + e.getMessage() + ". " + repair + ", or " + startEmpty + ".", e);
    }
  }
}
