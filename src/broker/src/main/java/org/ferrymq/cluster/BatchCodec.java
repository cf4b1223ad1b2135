package org.ferrymq.cluster;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
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
 * it, followed by where it goes on the receiving node. The arrival time stays behind: it is a
 * reading of one JVM's clock.
 *
 * <p>Format 4: the int {@value #FORMAT_4}; the adoptions the sender waits for (nodes that died
 * whose sessions the receiver takes over, and whose filters the sender points at the receiver
 * meanwhile: the receiver holds the batch until it adopted them), as an unsigned short count
 * and each node id as a string; the message count; then per message the record's length and
 * bytes, a flags byte, and:
 * <ul>
 *   <li>flag 2: the message was on its way to a node that died and is for that node's sessions
 *       only; that node's id follows as a string;
 *   <li>the group count (unsigned short) and each shared group the receiver serves with it as a
 *       string; flag 1: the groups were relayed;
 *   <li>flag 4: the message is addressed to one session that moved to the receiver ({@link
 *       SessionDelivery}): its client id (string), the QoS and RETAIN bytes, the subscription
 *       identifier count (unsigned short) and each as an int, and the shared filter (string,
 *       empty for none).
 * </ul>
 * A string is an unsigned short length and UTF-8. Format 2 (before failover and handover sent
 * messages on) is format 4 without the adoptions and flags 2 and 4; format 1 (before shared
 * groups spanned nodes) began with the non-negative message count and had records only. Both
 * are still read. (Format 3 never shipped.)
 */
final class BatchCodec {
  /** First int of format 4; format 1 began with the count, never negative. */
  static final int FORMAT_4 = -4;
  static final int FORMAT_2 = -2;
  private static final int RELAYED = 1;
  private static final int FOR_DEPARTED = 2;
  private static final int TO_SESSION = 4;

  /** A decoded batch: the adoptions its sender waits for, and its messages. */
  record Batch(Set<String> adoptions, List<Forwarded> messages) {
  }

  private BatchCodec() {
  }

  static byte[] encode(List<Forwarded> messages, Set<String> adoptions) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(FORMAT_4);
      out.writeShort(adoptions.size());
      for (String node : adoptions) {
        writeString(out, node);
      }
      out.writeInt(messages.size());
      for (Forwarded f : messages) {
        byte[] record = RecordCodec.encodeMessage(f.message());
        out.writeInt(record.length);
        out.write(record);
        GroupAssignment groups = f.groups();
        out.writeByte((groups.relayed() ? RELAYED : 0)
            | (f.forDeparted() != null ? FOR_DEPARTED : 0)
            | (f.session() != null ? TO_SESSION : 0));
        if (f.forDeparted() != null) {
          writeString(out, f.forDeparted());
        }
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
  static Batch decode(byte[] batch) throws RecordFormatException {
    ByteBuffer in = ByteBuffer.wrap(batch);
    try {
      int first = in.getInt();
      if (first < 0 && first != FORMAT_2 && first != FORMAT_4) {
        throw new RecordFormatException("unknown batch format " + -first);
      }
      Set<String> adoptions = new LinkedHashSet<>();
      if (first == FORMAT_4) {
        int n = Short.toUnsignedInt(in.getShort());
        for (int i = 0; i < n; i++) {
          adoptions.add(readString(in, -1));
        }
      }
      int count = first < 0 ? in.getInt() : first;
      if (count < 0 || count > in.remaining() / 4) {
        throw new RecordFormatException("batch count " + count + " does not fit its bytes");
      }
      List<Forwarded> messages = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        Message m = RecordCodec.decodeMessage(bytes(in, in.getInt(), i));
        messages.add(first < 0 ? extras(in, m, i, first == FORMAT_4)
            : new Forwarded(m, GroupAssignment.NONE));
      }
      if (in.hasRemaining()) {
        throw new RecordFormatException(in.remaining() + " bytes after the batch's messages");
      }
      return new Batch(adoptions, messages);
    } catch (BufferUnderflowException e) {
      throw new RecordFormatException("batch ends early");
    }
  }

  /** Reads what follows a message's record in formats 2 and 4. */
  private static Forwarded extras(ByteBuffer in, Message m, int message, boolean format4)
      throws RecordFormatException {
    int flags = in.get();
    if (!format4 && (flags & (FOR_DEPARTED | TO_SESSION)) != 0) {
      throw new RecordFormatException("message " + message + " has format 4 flags in format 2");
    }
    String departed = (flags & FOR_DEPARTED) != 0 ? readString(in, message) : null;
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
    SessionDelivery session = (flags & TO_SESSION) != 0 ? readSession(in, message) : null;
    return new Forwarded(m, assigned, departed, session);
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

  private static void writeString(DataOutputStream out, String s) throws IOException {
    byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
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
      throw new RecordFormatException((message < 0 ? "the batch header" : "message " + message)
          + " runs past the batch");
    }
    byte[] bytes = new byte[length];
    in.get(bytes);
    return bytes;
  }
}
