package org.ferrymq.cluster;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.ferrymq.engine.ExportedSession;
import org.ferrymq.engine.MessageOrigin;
import org.ferrymq.engine.SessionClaim;
import org.ferrymq.persistence.StoredDelivery;
import org.ferrymq.persistence.StoredSession;
import org.ferrymq.persistence.common.RecordCodec;
import org.ferrymq.persistence.common.RecordFormatException;

/**
 * A node's answer to a session claim as it crosses between nodes: the session and each delivery in the store's record format (version,
 * checksum), so a damaged copy is refused instead of restored, then the messages the
 * session took lately (count, then each as the publisher's client id and the sequence).
 */
final class ClaimCodec {

  private ClaimCodec() {
  }

  static byte[] encode(SessionClaim claim) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(claim.outcome().ordinal());
      byte[] reason = claim.reason() == null ? new byte[0]
          : claim.reason().getBytes(StandardCharsets.UTF_8);
      out.writeInt(reason.length);
      out.write(reason);
      if (claim.session() != null) {
        writeSession(out, claim.session());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /** @throws RecordFormatException when the answer or a record in it is damaged */
  static SessionClaim decode(byte[] bytes) throws RecordFormatException {
    ByteBuffer in = ByteBuffer.wrap(bytes);
    try {
      int outcome = in.get();
      SessionClaim.Outcome[] outcomes = SessionClaim.Outcome.values();
      if (outcome < 0 || outcome >= outcomes.length) {
        throw new RecordFormatException("unknown claim outcome " + outcome);
      }
      String reason = new String(next(in), StandardCharsets.UTF_8);
      return switch (outcomes[outcome]) {
        case NOT_HELD -> SessionClaim.notHeld();
        case REFUSED -> SessionClaim.refused(reason);
        case UNAVAILABLE -> SessionClaim.unavailable(reason);
        case HANDED_OVER -> SessionClaim.handedOver(readSession(in));
      };
    } catch (BufferUnderflowException e) {
      throw new RecordFormatException("claim answer ends early");
    }
  }

  private static void writeSession(DataOutputStream out, ExportedSession session)
      throws IOException {
    write(out, RecordCodec.encodeSession(session.session()));
    out.writeInt(session.deliveries().size());
    for (StoredDelivery d : session.deliveries()) {
      write(out, RecordCodec.encodeDelivery(d));
    }
    out.writeInt(session.recentlyTaken().size());
    for (MessageOrigin id : session.recentlyTaken()) {
      write(out, id.clientId().getBytes(StandardCharsets.UTF_8));
      out.writeLong(id.sequence());
    }
  }

  private static ExportedSession readSession(ByteBuffer in) throws RecordFormatException {
    StoredSession session = RecordCodec.decodeSession(next(in));
    int count = in.getInt();
    if (count < 0 || count > in.remaining() / 4) {
      throw new RecordFormatException("delivery count " + count + " does not fit its bytes");
    }
    List<StoredDelivery> deliveries = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      deliveries.add(RecordCodec.decodeDelivery(next(in)));
    }
    // an answer from a node before the handover's grace period ends here
    if (!in.hasRemaining()) {
      return new ExportedSession(session, deliveries);
    }
    int remembered = in.getInt();
    if (remembered < 0 || remembered > in.remaining() / 12) {
      throw new RecordFormatException("message identity count " + remembered
          + " does not fit its bytes");
    }
    List<MessageOrigin> recentlyTaken = new ArrayList<>(remembered);
    for (int i = 0; i < remembered; i++) {
      recentlyTaken.add(new MessageOrigin(new String(next(in), StandardCharsets.UTF_8), in.getLong()));
    }
    return new ExportedSession(session, deliveries, recentlyTaken);
  }

  private static void write(DataOutputStream out, byte[] record) throws IOException {
    out.writeInt(record.length);
    out.write(record);
  }

  private static byte[] next(ByteBuffer in) throws RecordFormatException {
    int length = in.getInt();
    if (length < 0 || length > in.remaining()) {
      throw new RecordFormatException("record runs past its bytes");
    }
    byte[] record = new byte[length];
    in.get(record);
    return record;
  }
}
