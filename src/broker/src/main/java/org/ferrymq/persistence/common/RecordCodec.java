package org.ferrymq.persistence.common;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.CRC32C;
import org.ferrymq.message.Message;
import org.ferrymq.packet.Properties;
import org.ferrymq.packet.Property;
import org.ferrymq.packet.QoS;
import org.ferrymq.packet.RetainHandling;
import org.ferrymq.packet.UserProperty;
import org.ferrymq.packet.Will;
import org.ferrymq.persistence.DeliveryState;
import org.ferrymq.persistence.SessionOwner;
import org.ferrymq.persistence.StoredDelivery;
import org.ferrymq.persistence.StoredReceipt;
import org.ferrymq.persistence.StoredSession;
import org.ferrymq.topic.SubscriptionEntry;

/**
 * The binary form of stored records, written with {@link java.io.DataOutput} and never with Java
 * serialisation, so that the stored bytes do not depend on class layouts.
 *
 * <p>Every record is {@code kind (1 byte) | version (1 byte) | body | CRC-32C (4 bytes)}; the
 * checksum covers everything before it. Strings are a varint byte length plus UTF-8; byte
 * arrays a varint length plus the bytes; {@code long}s and {@code int}s are big-endian. A reader
 * refuses a record whose version is newer than {@link #VERSION}; when the layout changes, the
 * version goes up and the reader keeps a branch for each older version.
 *
 * <p>Version 2 (exactly-once across crashes) adds, to the message, the origin's inbound QoS 2
 * sequence (flag bit 1), and to the session, the content hash, sequence and routing state of
 * each held QoS 2 packet identifier, the next inbound sequence and the Will. Version 1 records
 * are read as before: their packet identifiers get {@link StoredReceipt#UNKNOWN_HASH} (so a
 * resent PUBLISH with such an identifier is delivered rather than swallowed) and no Will. A
 * version 1 reader refuses version 2 records, and the store format version (2) makes it refuse
 * the whole store first, naming the file.
 *
 * <p>Version 3 (session ownership) adds the owner to the session, after everything else; message
 * and delivery records are unchanged. Version 1 and 2 session records are read with no owner
 * ({@code null}: the first client to resume such a session claims it). The store format (3) makes
 * a version 2 reader refuse the store as a whole rather than record by record.
 *
 * <pre>
 * message  := topic:str payload:bytes qos:u8 flags:u8(bit0 retain, bit1 sequence) expiresAt:i64
 *             origin:str [originSequence:i64] properties
 * properties := n:varint (id:u8 value)*n  users:varint (name:str value:str)*users
 *             subIds:varint varint*subIds         value by the property's type
 * delivery := sequence:i64 message qos:u8 flags:u8(bit0 retain, bit1 shared) subIds:varint
 *             varint*subIds [sharedFilter:str] packetId:u16 state:u8
 * session  := clientId:str level:u8 expiry:i64 disconnectedAt:i64 subs:varint sub*subs
 *             receipts:varint receipt*receipts nextInboundSequence:i64 hasWill:u8 [will]
 *             (version 1: pubrel:varint u16*pubrel, nothing after)
 * receipt  := packetId:u16 contentHash:i64 sequence:i64 flags:u8(bit0 routed)
 * will     := topic:str payload:bytes qos:u8 flags:u8(bit0 retain) properties dueAt:i64
 * sub      := filter:str flags:u8(bit0 shared, bit1 noLocal, bit2 retainAsPublished)
 *             [shareName:str] maxQos:u8 retainHandling:u8 subscriptionId:varint
 * </pre>
 *
 * <p>Longer than 400 lines on purpose: the stored format is one contract, and its writer and
 * its readers of every version side by side are what keeps them in step.
 *
 * <p>Stateless and thread-safe.
 */
public final class RecordCodec {
  /** Record layout version written by this code. */
  public static final int VERSION = 3;

  static final int KIND_SESSION = 1;
  static final int KIND_DELIVERY = 2;
  static final int KIND_MESSAGE = 3;

  private static final int OWNER_UNKNOWN = 0;
  private static final int OWNER_ANONYMOUS = 1;
  private static final int OWNER_USER = 2;

  private RecordCodec() {
  }

  /** @return the session record's bytes */
  public static byte[] encodeSession(StoredSession s) {
    return write(KIND_SESSION, out -> {
      writeString(out, s.clientId());
      out.writeByte(s.protocolLevel());
      out.writeLong(s.expiryIntervalSeconds());
      out.writeLong(s.disconnectedAtMillis());
      writeVarint(out, s.subscriptions().size());
      for (SubscriptionEntry e : s.subscriptions()) {
        writeString(out, e.filter());
        out.writeByte((e.isShared() ? 1 : 0) | (e.noLocal() ? 2 : 0)
            | (e.retainAsPublished() ? 4 : 0));
        if (e.isShared()) {
          writeString(out, e.shareName());
        }
        out.writeByte(e.maxQos().value());
        out.writeByte(e.retainHandling().value());
        writeVarint(out, e.subscriptionIdentifier());
      }
      writeVarint(out, s.receipts().size());
      for (StoredReceipt r : s.receipts()) {
        out.writeShort(r.packetId());
        out.writeLong(r.contentHash());
        out.writeLong(r.sequence());
        out.writeByte(r.routed() ? 1 : 0);
      }
      out.writeLong(s.nextInboundSequence());
      out.writeByte(s.will() == null ? 0 : 1);
      if (s.will() != null) {
        Will w = s.will();
        writeString(out, w.topic());
        writeBytes(out, w.payload());
        out.writeByte(w.qos().value());
        out.writeByte(w.retain() ? 1 : 0);
        writeProperties(out, w.properties());
        out.writeLong(s.willDueMillis());
      }
      writeOwner(out, s.owner());
    });
  }

  private static void writeOwner(DataOutputStream out, SessionOwner owner) throws IOException {
    if (owner == null) {
      out.writeByte(OWNER_UNKNOWN);
    } else if (owner.isAnonymous()) {
      out.writeByte(OWNER_ANONYMOUS);
    } else {
      out.writeByte(OWNER_USER);
      writeString(out, owner.user());
      writeVarint(out, owner.roles().size());
      for (String role : owner.roles().stream().sorted().toList()) {
        writeString(out, role);
      }
    }
  }

  private static SessionOwner readOwner(ByteBuffer in) throws RecordFormatException {
    int kind = u8(in);
    return switch (kind) {
      case OWNER_UNKNOWN -> null;
      case OWNER_ANONYMOUS -> SessionOwner.ANONYMOUS;
      case OWNER_USER -> {
        String user = readString(in);
        int n = readCount(in);
        Set<String> roles = new HashSet<>();
        for (int i = 0; i < n; i++) {
          roles.add(readString(in));
        }
        yield new SessionOwner(user, roles);
      }
      default -> throw new IllegalArgumentException("unknown session owner kind " + kind);
    };
  }

  /** @return the session read from {@code bytes} */
  public static StoredSession decodeSession(byte[] bytes) throws RecordFormatException {
    return read(bytes, KIND_SESSION, (in, version) -> {
      String clientId = readString(in);
      int level = u8(in);
      long expiry = in.getLong();
      long disconnectedAt = in.getLong();
      int n = readCount(in);
      List<SubscriptionEntry> subs = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        String filter = readString(in);
        int flags = u8(in);
        String shareName = (flags & 1) != 0 ? readString(in) : null;
        QoS maxQos = QoS.of(u8(in));
        RetainHandling handling = RetainHandling.of(u8(in));
        int subscriptionId = readVarint(in);
        subs.add(new SubscriptionEntry(clientId, filter, shareName, maxQos, (flags & 2) != 0,
            (flags & 4) != 0, handling, subscriptionId));
      }
      int pubrels = readCount(in);
      if (version == 1) {
        Set<Integer> awaiting = new HashSet<>();
        for (int i = 0; i < pubrels; i++) {
          awaiting.add(Short.toUnsignedInt(in.getShort()));
        }
        return new StoredSession(clientId, level, expiry, disconnectedAt, subs, awaiting);
      }
      List<StoredReceipt> receipts = new ArrayList<>(pubrels);
      for (int i = 0; i < pubrels; i++) {
        receipts.add(new StoredReceipt(Short.toUnsignedInt(in.getShort()), in.getLong(),
            in.getLong(), (u8(in) & 1) != 0));
      }
      long nextInboundSequence = in.getLong();
      Will will = null;
      long willDue = 0;
      if (u8(in) != 0) {
        String topic = readString(in);
        byte[] payload = readBytes(in);
        QoS qos = QoS.of(u8(in));
        boolean retain = (u8(in) & 1) != 0;
        will = new Will(topic, payload, qos, retain, readProperties(in));
        willDue = in.getLong();
      }
      SessionOwner owner = version >= 3 ? readOwner(in) : null;
      return new StoredSession(clientId, level, expiry, disconnectedAt, subs, receipts,
          nextInboundSequence, will, willDue, owner);
    });
  }

  /** @return the delivery record's bytes, the message included */
  public static byte[] encodeDelivery(StoredDelivery d) {
    return write(KIND_DELIVERY, out -> {
      out.writeLong(d.sequence());
      writeMessage(out, d.message());
      out.writeByte(d.qos().value());
      out.writeByte((d.retain() ? 1 : 0) | (d.sharedFilter() != null ? 2 : 0));
      writeVarint(out, d.subscriptionIdentifiers().size());
      for (int id : d.subscriptionIdentifiers()) {
        writeVarint(out, id);
      }
      if (d.sharedFilter() != null) {
        writeString(out, d.sharedFilter());
      }
      out.writeShort(d.packetId());
      out.writeByte(d.state().ordinal());
    });
  }

  /** @return the delivery read from {@code bytes} */
  public static StoredDelivery decodeDelivery(byte[] bytes) throws RecordFormatException {
    return read(bytes, KIND_DELIVERY, (in, version) -> {
      long sequence = in.getLong();
      Message m = readMessage(in);
      QoS qos = QoS.of(u8(in));
      int flags = u8(in);
      int n = readCount(in);
      List<Integer> ids = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        ids.add(readVarint(in));
      }
      String shared = (flags & 2) != 0 ? readString(in) : null;
      int packetId = Short.toUnsignedInt(in.getShort());
      int state = u8(in);
      if (state >= DeliveryState.values().length) {
        throw new IllegalArgumentException("unknown delivery state " + state);
      }
      return new StoredDelivery(sequence, m, qos, (flags & 1) != 0, ids, shared, packetId,
          DeliveryState.values()[state]);
    });
  }

  /** @return the message record's bytes (retained messages) */
  public static byte[] encodeMessage(Message m) {
    return write(KIND_MESSAGE, out -> writeMessage(out, m));
  }

  /** @return the message read from {@code bytes} */
  public static Message decodeMessage(byte[] bytes) throws RecordFormatException {
    return read(bytes, KIND_MESSAGE, (in, version) -> readMessage(in));
  }

  /**
   * Checks kind, version and checksum without decoding the body.
   *
   * @throws RecordFormatException if the record is damaged or of another kind or newer version
   */
  public static void verify(byte[] bytes, int kind) throws RecordFormatException {
    checkHeader(bytes, kind);
  }

  /** Kind codes for {@link #verify(byte[], int)}. */
  public static int sessionKind() {
    return KIND_SESSION;
  }

  public static int deliveryKind() {
    return KIND_DELIVERY;
  }

  public static int messageKind() {
    return KIND_MESSAGE;
  }

  // ---------------------------------------------------------------- message and properties

  private static void writeMessage(DataOutputStream out, Message m) throws IOException {
    writeString(out, m.topic());
    writeBytes(out, m.payload());
    out.writeByte(m.qos().value());
    out.writeByte((m.retain() ? 1 : 0) | (m.originSequence() != 0 ? 2 : 0));
    out.writeLong(m.expiresAtMillis());
    writeString(out, m.originClientId());
    if (m.originSequence() != 0) {
      out.writeLong(m.originSequence());
    }
    writeProperties(out, m.properties());
  }

  private static Message readMessage(ByteBuffer in) throws RecordFormatException {
    String topic = readString(in);
    byte[] payload = readBytes(in);
    QoS qos = QoS.of(u8(in));
    int flags = u8(in);
    long expiresAt = in.getLong();
    String origin = readString(in);
    long originSequence = (flags & 2) != 0 ? in.getLong() : 0;
    Properties props = readProperties(in);
    return new Message(topic, payload, qos, (flags & 1) != 0, props, expiresAt, origin,
        originSequence);
  }

  private static void writeProperties(DataOutputStream out, Properties p) throws IOException {
    List<Property> single = new ArrayList<>();
    for (Property prop : p.present()) {
      if (!prop.repeatable()) {
        single.add(prop);
      }
    }
    writeVarint(out, single.size());
    for (Property prop : single) {
      out.writeByte(prop.id());
      switch (prop.type()) {
        case BYTE, TWO_BYTE_INTEGER, VARIABLE_BYTE_INTEGER -> writeVarint(out, p.getInt(prop));
        case FOUR_BYTE_INTEGER -> out.writeLong(p.getLong(prop));
        case UTF8_STRING -> writeString(out, p.getString(prop));
        case BINARY_DATA -> writeBytes(out, p.getBytes(prop));
        default -> throw new IllegalStateException("unexpected property type " + prop.type());
      }
    }
    writeVarint(out, p.userProperties().size());
    for (UserProperty u : p.userProperties()) {
      writeString(out, u.name());
      writeString(out, u.value());
    }
    writeVarint(out, p.subscriptionIdentifiers().size());
    for (int id : p.subscriptionIdentifiers()) {
      writeVarint(out, id);
    }
  }

  private static Properties readProperties(ByteBuffer in) throws RecordFormatException {
    int n = readCount(in);
    if (n == 0 && in.remaining() >= 2 && in.get(in.position()) == 0
        && in.get(in.position() + 1) == 0) {
      in.position(in.position() + 2);
      return Properties.EMPTY;
    }
    Properties.Builder b = Properties.builder();
    for (int i = 0; i < n; i++) {
      int id = u8(in);
      Property prop = Property.of(id);
      if (prop == null || prop.repeatable()) {
        throw new IllegalArgumentException("unknown property identifier " + id);
      }
      switch (prop.type()) {
        case BYTE, TWO_BYTE_INTEGER, VARIABLE_BYTE_INTEGER -> b.put(prop, readVarint(in));
        case FOUR_BYTE_INTEGER -> b.put(prop, in.getLong());
        case UTF8_STRING -> b.put(prop, readString(in));
        case BINARY_DATA -> b.put(prop, readBytes(in));
        default -> throw new IllegalArgumentException("unexpected property " + prop);
      }
    }
    int users = readCount(in);
    for (int i = 0; i < users; i++) {
      b.userProperty(readString(in), readString(in));
    }
    int ids = readCount(in);
    for (int i = 0; i < ids; i++) {
      b.put(Property.SUBSCRIPTION_IDENTIFIER, readVarint(in));
    }
    return b.build();
  }

  // ---------------------------------------------------------------- framing

  private interface Body {
    void write(DataOutputStream out) throws IOException;
  }

  private interface Reader<T> {
    T read(ByteBuffer in, int version) throws RecordFormatException;
  }

  private static byte[] write(int kind, Body body) {
    RecordOutput bytes = new RecordOutput(128);
    DataOutputStream out = new DataOutputStream(bytes);
    try {
      out.writeByte(kind);
      out.writeByte(VERSION);
      body.write(out);
      out.writeInt(bytes.crc32c());
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a RecordOutput does not fail
    }
    return bytes.toByteArray();
  }

  private static <T> T read(byte[] bytes, int kind, Reader<T> reader)
      throws RecordFormatException {
    checkHeader(bytes, kind);
    ByteBuffer in = ByteBuffer.wrap(bytes, 2, bytes.length - 6);
    try {
      T value = reader.read(in, Byte.toUnsignedInt(bytes[1]));
      if (in.hasRemaining()) {
        throw new RecordFormatException(in.remaining() + " unexpected bytes after the "
            + kindName(kind) + " record");
      }
      return value;
    } catch (BufferUnderflowException e) {
      throw new RecordFormatException("truncated " + kindName(kind) + " record", e);
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new RecordFormatException("invalid " + kindName(kind) + " record: "
          + e.getMessage(), e);
    }
  }

  private static void checkHeader(byte[] bytes, int kind) throws RecordFormatException {
    if (bytes == null || bytes.length < 6) {
      throw new RecordFormatException("record too short: "
          + (bytes == null ? "null" : bytes.length + " bytes"));
    }
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, bytes.length - 4);
    int stored = ByteBuffer.wrap(bytes, bytes.length - 4, 4).getInt();
    if (stored != (int) crc.getValue()) {
      throw new RecordFormatException("checksum mismatch in a " + bytes.length
          + "-byte record: the stored data is damaged");
    }
    if (bytes[0] != kind) {
      throw new RecordFormatException("expected a " + kindName(kind) + " record but found kind "
          + bytes[0]);
    }
    int version = Byte.toUnsignedInt(bytes[1]);
    if (version > VERSION || version == 0) {
      throw new RecordFormatException(kindName(kind) + " record has layout version " + version
          + "; this FerryMQ reads versions 1 to " + VERSION);
    }
  }

  private static String kindName(int kind) {
    return switch (kind) {
      case KIND_SESSION -> "session";
      case KIND_DELIVERY -> "delivery";
      case KIND_MESSAGE -> "message";
      default -> "kind-" + kind;
    };
  }

  // ---------------------------------------------------------------- primitives

  private static void writeVarint(DataOutputStream out, int value) throws IOException {
    if (value < 0) {
      throw new IllegalArgumentException("negative varint " + value);
    }
    int v = value;
    while ((v & ~0x7F) != 0) {
      out.writeByte((v & 0x7F) | 0x80);
      v >>>= 7;
    }
    out.writeByte(v);
  }

  private static int readVarint(ByteBuffer in) throws RecordFormatException {
    int value = 0;
    for (int shift = 0; shift < 32; shift += 7) {
      int b = u8(in);
      value |= (b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        if (value < 0) {
          break;
        }
        return value;
      }
    }
    throw new RecordFormatException("varint too long");
  }

  /** A count or length, checked against the bytes left so that damage cannot allocate GBs. */
  private static int readCount(ByteBuffer in) throws RecordFormatException {
    int n = readVarint(in);
    if (n > in.remaining()) {
      throw new RecordFormatException("length " + n + " exceeds the " + in.remaining()
          + " bytes left");
    }
    return n;
  }

  private static int u8(ByteBuffer in) {
    return Byte.toUnsignedInt(in.get());
  }

  private static void writeString(DataOutputStream out, String s) throws IOException {
    writeBytes(out, s.getBytes(StandardCharsets.UTF_8));
  }

  private static String readString(ByteBuffer in) throws RecordFormatException {
    int n = readCount(in);
    ByteBuffer slice = in.slice(in.position(), n);
    in.position(in.position() + n);
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(slice).toString();
    } catch (CharacterCodingException e) {
      throw new RecordFormatException("invalid UTF-8 in a stored string", e);
    }
  }

  private static void writeBytes(DataOutputStream out, byte[] b) throws IOException {
    writeVarint(out, b.length);
    out.write(b);
  }

  private static byte[] readBytes(ByteBuffer in) throws RecordFormatException {
    byte[] b = new byte[readCount(in)];
    in.get(b);
    return b;
  }
}
