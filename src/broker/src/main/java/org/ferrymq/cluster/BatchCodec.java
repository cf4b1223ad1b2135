package org.ferrymq.cluster;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.ferrymq.message.Message;
import org.ferrymq.persistence.common.RecordCodec;
import org.ferrymq.persistence.common.RecordFormatException;

/**
 * Messages as they cross between nodes: each in the store's record format (version, checksum,
 * MQTT 5 properties, expiry deadline), so a node refuses a damaged batch instead of delivering
 * it. The arrival time stays behind: it is a reading of one JVM's clock.
 */
final class BatchCodec {

  private BatchCodec() {
  }

  static byte[] encode(List<Message> messages) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(messages.size());
      for (Message m : messages) {
        byte[] record = RecordCodec.encodeMessage(m);
        out.writeInt(record.length);
        out.write(record);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /** @throws RecordFormatException when the batch or a message in it is damaged */
  static List<Message> decode(byte[] batch) throws RecordFormatException {
    ByteBuffer in = ByteBuffer.wrap(batch);
    try {
      int count = in.getInt();
      if (count < 0 || count > in.remaining() / 4) {
        throw new RecordFormatException("batch count " + count + " does not fit its bytes");
      }
      List<Message> messages = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        int length = in.getInt();
        if (length < 0 || length > in.remaining()) {
          throw new RecordFormatException("message " + i + " runs past the batch");
        }
        byte[] record = new byte[length];
        in.get(record);
        messages.add(RecordCodec.decodeMessage(record));
      }
      return messages;
    } catch (java.nio.BufferUnderflowException e) {
      throw new RecordFormatException("batch ends early");
    }
  }
}
