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
import org.ferrymq.engine.GroupAssignment;
import org.ferrymq.engine.SessionDelivery;
import org.ferrymq.message.Message;
import org.ferrymq.packet.QoS;
import org.ferrymq.persistence.common.RecordCodec;
import org.ferrymq.persistence.common.RecordFormatException;
import org.ferrymq.topic.Topics;

/**
 * Messages as they cross between nodes: each in the store's record format (version, checksum,
 * MQTT 5 properties, expiry deadline), so a node refuses a damaged batch instead of delivering
 * it, followed by the shared groups the receiving node serves with it. The arrival time stays
 * behind: it is a reading of one JVM's clock.
 *
 * <p>Format 2: the int {@value #FORMAT_2}, the message count, then per message the record's
 * length and bytes, a flags byte (1: the groups were relayed), the group count (unsigned short)
 * and each group as an unsigned short length and UTF-8 bytes. Format 1 (before shared groups
 * spanned nodes) began with the non-negative message count and had records only; it is still
 * read, as carrying no group.
 *
 * <p>Format 3 ({@value #FORMAT_3}) is format 2 where a message may be addressed to one session
 * (flag 2, {@link org.ferrymq.engine.SessionDelivery}): after its groups follow the client id
 * (unsigned short length, UTF-8), the QoS and RETAIN bytes, the subscription identifier count
 * (unsigned short) and each as an int, and the shared filter (unsigned short length, UTF-8; 0
 * for none). A batch without such a message is written in format 2, so a node that does not
 * know format 3 reads it.
 */
final class BatchCodec {
  /** First int of format 2; format 1 began with the count, never negative. */
  static final int FORMAT_2 = -2;
  /** First int of format 3: format 2 with messages addressed to one session. */
  static final int FORMAT_3 = -3;
  private static final int RELAYED = 1;
  private static final int TO_SESSION = 2;

  private BatchCodec() {
  }

  static byte[] encode(List<Forwarded> messages) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(messages.stream().anyMatch(f -> f.session() != null) ? FORMAT_3 : FORMAT_2);
      out.writeInt(messages.size());
      for (Forwarded f : messages) {
        byte[] record = RecordCodec.encodeMessage(f.message());
        out.writeInt(record.length);
        out.write(record);
        GroupAssignment groups = f.groups();
        out.writeByte((groups.relayed() ? RELAYED : 0) | (f.session() != null ? TO_SESSION : 0));
        out.writeShort(groups.sharedFilters().size());
        for (String group : groups.sharedFilters()) {
          writeString(out, group);
        }
        if (f.session() != null) {
          writeSession(out, f.session());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /** @throws RecordFormatException when the batch or a message in it is damaged */
  static List<Forwarded> decode(byte[] batch) throws RecordFormatException {
    ByteBuffer in = ByteBuffer.wrap(batch);
    try {
      int first = in.getInt();
      boolean toSessions = first == FORMAT_3;
      boolean withGroups = first == FORMAT_2 || toSessions;
      if (first < 0 && !withGroups) {
        throw new RecordFormatException("unknown batch format " + -first);
      }
      int count = withGroups ? in.getInt() : first;
      if (count < 0 || count > in.remaining() / 4) {
        throw new RecordFormatException("batch count " + count + " does not fit its bytes");
      }
      List<Forwarded> messages = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        Message m = RecordCodec.decodeMessage(bytes(in, in.getInt(), i));
        messages.add(withGroups ? assigned(in, m, i, toSessions)
            : new Forwarded(m, GroupAssignment.NONE));
      }
      if (in.hasRemaining()) {
        throw new RecordFormatException(in.remaining() + " bytes after the batch's messages");
      }
      return messages;
    } catch (BufferUnderflowException e) {
      throw new RecordFormatException("batch ends early");
    }
  }

  /** Reads what follows a message's record in formats 2 and 3: its groups or its session. */
  private static Forwarded assigned(ByteBuffer in, Message m, int message, boolean toSessions)
      throws RecordFormatException {
    int flags = in.get();
    if ((flags & TO_SESSION) != 0 && !toSessions) {
      throw new RecordFormatException("message " + message + " addresses a session in format 2");
    }
    int count = Short.toUnsignedInt(in.getShort());
    List<String> groups = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      String group = readString(in, message);
      if (!Topics.isShared(group)) {
        throw new RecordFormatException("message " + message + " names no shared group");
      }
      groups.add(group);
    }
    GroupAssignment assigned = count == 0 ? GroupAssignment.NONE
        : new GroupAssignment(groups, (flags & RELAYED) != 0);
    return new Forwarded(m, assigned,
        (flags & TO_SESSION) != 0 ? readSession(in, message) : null);
  }

  private static void writeSession(DataOutputStream out, SessionDelivery d) throws IOException {
    writeString(out, d.clientId());
    out.writeByte(d.qos().value());
    out.writeBoolean(d.retain());
    out.writeShort(d.subscriptionIds().size());
    for (int id : d.subscriptionIds()) {
      out.writeInt(id);
    }
    writeString(out, d.sharedFilter() == null ? "" : d.sharedFilter());
  }

  private static SessionDelivery readSession(ByteBuffer in, int message)
      throws RecordFormatException {
    String clientId = readString(in, message);
    int qos = in.get();
    if (clientId.isEmpty() || qos < 0 || qos > 2) {
      throw new RecordFormatException("message " + message + " addresses no valid session");
    }
    boolean retain = in.get() != 0;
    int count = Short.toUnsignedInt(in.getShort());
    List<Integer> ids = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      ids.add(in.getInt());
    }
    String shared = readString(in, message);
    if (!shared.isEmpty() && !Topics.isShared(shared)) {
      throw new RecordFormatException("message " + message + " names no shared group");
    }
    return new SessionDelivery(clientId, QoS.of(qos), retain, ids,
        shared.isEmpty() ? null : shared);
  }

  private static void writeString(DataOutputStream out, String value) throws IOException {
    byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
    out.writeShort(utf8.length);
    out.write(utf8);
  }

  private static String readString(ByteBuffer in, int message) throws RecordFormatException {
    return new String(bytes(in, Short.toUnsignedInt(in.getShort()), message),
        StandardCharsets.UTF_8);
  }

  private static byte[] bytes(ByteBuffer in, int length, int message)
      throws RecordFormatException {
    if (length < 0 || length > in.remaining()) {
      throw new RecordFormatException("message " + message + " runs past the batch");
    }
    byte[] bytes = new byte[length];
    in.get(bytes);
    return bytes;
  }
}
