package org.ferrymq.persistence.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.ferrymq.persistence.PersistenceException;
import org.ferrymq.persistence.StoredSession;
import org.junit.jupiter.api.Test;

class StoreChecksTest {

  private final StoreChecks sut = new StoreChecks("Store file /d/f", "Store file /d/f has",
      "Store file /d/f", "Restore the file from a backup",
      "move the directory away to start empty");

  @Test
  void aNewStoreAndAnOlderFormatGetTheCurrentVersionWritten() {
    assertTrue(sut.formatNeedsWriting(null));
    assertTrue(sut.formatNeedsWriting(Integer.toString(DurablePersistence.FORMAT_VERSION - 1)));
    assertFalse(sut.formatNeedsWriting(Integer.toString(DurablePersistence.FORMAT_VERSION)));
  }

  @Test
  void aNewerFormatIsRefusedNamingTheStoreAndHowToStartEmpty() {
    PersistenceException e = assertThrows(PersistenceException.class,
        () -> sut.formatNeedsWriting("99"));

    assertEquals("Store file /d/f has format version 99, written by a newer FerryMQ; this "
        + "version reads format " + DurablePersistence.FORMAT_VERSION + " and older. Run the "
        + "newer FerryMQ, or move the directory away to start empty.", e.getMessage());
  }

  @Test
  void anUnreadableFormatIsRefused() {
    PersistenceException e = assertThrows(PersistenceException.class,
        () -> sut.formatNeedsWriting("three"));

    assertEquals("Store file /d/f has an unreadable format version 'three'; refusing to use "
        + "it.", e.getMessage());
    assertInstanceOf(NumberFormatException.class, e.getCause());
  }

  @Test
  void aDamagedRecordIsNamedWithTheRepair() {
    byte[] record = RecordCodec.encodeSession(new StoredSession("c", 5, 0, 0, List.of(),
        Set.of()));
    sut.verify(record, RecordCodec.sessionKind(), () -> "never asked for an intact record");
    record[record.length - 1] ^= 1;

    PersistenceException e = assertThrows(PersistenceException.class,
        () -> sut.verify(record, RecordCodec.sessionKind(), () -> "record 'c' in sessions"));

    assertTrue(e.getMessage().startsWith("Store file /d/f is damaged: record 'c' in sessions: "),
        e.getMessage());
    assertTrue(e.getMessage().endsWith(". Restore the file from a backup, or move the directory "
        + "away to start empty."), e.getMessage());
    assertInstanceOf(RecordFormatException.class, e.getCause());
  }
}
