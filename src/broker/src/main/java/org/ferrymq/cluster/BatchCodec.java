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
import org.ferrymq.message.Message;
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
 */
final class BatchCodec {
  /** First int of format 2; format 1 began with the count, never negative. */
  static final int FORMAT_2 = -2;
  private static final int RELAYED = 1;

  private BatchCodec() {
  }

  static byte[] encode(List<Forwarded> messages) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(FORMAT_2);
      out.writeInt(messages.size());
      for (Forwarded f : messages) {
        byte[] record = RecordCodec.encodeMessage(f.message());
        out.writeInt(record.length);
        out.write(record);
        GroupAssignment groups = f.groups();
        out.writeByte(groups.relayed() ? RELAYED : 0);
        out.writeShort(groups.sharedFilters().size());
        for (String group : groups.sharedFilters()) {
          byte[] utf8 = group.getBytes(StandardCharsets.UTF_8);
          out.writeShort(utf8.length);
          out.write(utf8);
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
      boolean withGroups = first == FORMAT_2;
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
        messages.add(new Forwarded(m, withGroups ? groups(in, i) : GroupAssignment.NONE));
      }
      if (in.hasRemaining()) {
        throw new RecordFormatException(in.remaining() + " bytes after the batch's messages");
      }
      return messages;
    } catch (BufferUnderflowException e) {
      throw new RecordFormatException("batch ends early");
    }
  }

  private static GroupAssignment groups(ByteBuffer in, int message)
      throws RecordFormatException {
    int flags = in.get();
    int count = Short.toUnsignedInt(in.getShort());
    if (count == 0) {
      return GroupAssignment.NONE;
    }
    List<String> groups = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      byte[] utf8 = bytes(in, Short.toUnsignedInt(in.getShort()), message);
      String group = new String(utf8, StandardCharsets.UTF_8);
      if (!Topics.isShared(group)) {
        throw new RecordFormatException("message " + message + " names no shared group");
      }
      groups.add(group);
    }
    return new GroupAssignment(groups, (flags & RELAYED) != 0);
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
