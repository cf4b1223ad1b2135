package org.ferrymq.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.ferrymq.engine.GroupAssignment;
import org.ferrymq.engine.SessionDelivery;
import org.ferrymq.message.Message;
import org.ferrymq.packet.Properties;
import org.ferrymq.packet.Property;
import org.ferrymq.packet.QoS;
import org.ferrymq.persistence.common.RecordCodec;
import org.ferrymq.persistence.common.RecordFormatException;
import org.junit.jupiter.api.Test;

/**
 * Messages cross between nodes whole (MQTT 5 properties, expiry, origin, the shared groups the
 * receiving node serves) or not at all.
 */
class BatchCodecTest {

  @Test
  void aBatchRoundTripsEveryMessageInItsOrder() throws RecordFormatException {
    Properties props = Properties.builder().put(Property.CONTENT_TYPE, "text/plain")
        .put(Property.RESPONSE_TOPIC, "reply/to").userProperty("k", "v").build();
    List<Message> sent = List.of(
        new Message("a/b", bytes("one"), QoS.EXACTLY_ONCE, true, props, 1_900_000_000_000L,
            "publisher-1"),
        Message.of("a/c", new byte[0], QoS.AT_MOST_ONCE, false),
        new Message("a/d", bytes("three"), QoS.AT_LEAST_ONCE, false, Properties.EMPTY, 0,
            "publisher-2", 7));

    List<Forwarded> received = BatchCodec.decode(BatchCodec.encode(sent.stream()
        .map(m -> new Forwarded(m, GroupAssignment.NONE)).toList()));

    assertEquals(sent.size(), received.size());
    for (int i = 0; i < sent.size(); i++) {
      assertSame(sent.get(i), received.get(i).message());
      assertEquals(GroupAssignment.NONE, received.get(i).groups());
    }
  }

  @Test
  void eachMessageCarriesTheSharedGroupsTheReceivingNodeServes() throws RecordFormatException {
    // [MQTT-4.8.2] the origin chose the node for these groups; it serves them and no others
    GroupAssignment two = new GroupAssignment(List.of("$share/g/t/#", "$share/ü/t/+"), false);
    GroupAssignment relayed = new GroupAssignment(List.of("$share/g/t/#"), true);
    List<Forwarded> sent = List.of(
        new Forwarded(Message.of("t/1", bytes("a"), QoS.AT_LEAST_ONCE, false), two),
        new Forwarded(Message.of("t/2", bytes("b"), QoS.EXACTLY_ONCE, false),
            GroupAssignment.NONE),
        new Forwarded(Message.of("t/3", bytes("c"), QoS.AT_MOST_ONCE, false), relayed));

    List<Forwarded> received = BatchCodec.decode(BatchCodec.encode(sent));

    assertEquals(List.of(two, GroupAssignment.NONE, relayed),
        received.stream().map(Forwarded::groups).toList());
    for (int i = 0; i < sent.size(); i++) {
      assertSame(sent.get(i).message(), received.get(i).message());
    }
  }

  @Test
  void aMessageAddressedToOneSessionCarriesWhatItsSubscriptionsGranted() throws Exception {
    // a node that handed a session over forwards what still arrives for it (docs/cluster.md)
    Message qos2 = new Message("t/1", bytes("a"), QoS.EXACTLY_ONCE, false, Properties.EMPTY, 0,
        "publisher-1", 42);
    SessionDelivery granted = new SessionDelivery("mover", QoS.AT_LEAST_ONCE, true,
        List.of(3, 268_435_455), null);
    SessionDelivery shared = new SessionDelivery("mover", QoS.EXACTLY_ONCE, false, List.of(),
        "$share/g/t/#");
    List<Forwarded> sent = List.of(
        new Forwarded(qos2, GroupAssignment.NONE, granted),
        new Forwarded(Message.of("t/2", bytes("b"), QoS.AT_LEAST_ONCE, false),
            new GroupAssignment(List.of("$share/g/t/#"), false)),
        new Forwarded(Message.of("t/3", bytes("c"), QoS.EXACTLY_ONCE, false),
            GroupAssignment.NONE, shared));

    byte[] batch = BatchCodec.encode(sent);
    List<Forwarded> received = BatchCodec.decode(batch);

    assertEquals(BatchCodec.FORMAT_3, ByteBuffer.wrap(batch).getInt());
    assertEquals(Arrays.asList(granted, null, shared),
        received.stream().map(Forwarded::session).toList());
    assertEquals(sent.get(1).groups(), received.get(1).groups());
    assertEquals(42, received.get(0).message().originSequence(), "its QoS 2 identity");
    assertEquals(BatchCodec.FORMAT_2, ByteBuffer.wrap(BatchCodec.encode(sent.subList(1, 2)))
        .getInt(), "a batch without such a message stays readable by a node without format 3");
  }

  @Test
  void aFormat2BatchThatAddressesASessionIsRefused() {
    byte[] batch = BatchCodec.encode(List.of(new Forwarded(Message.of("t", bytes("p"),
        QoS.AT_LEAST_ONCE, false), GroupAssignment.NONE, new SessionDelivery("s",
        QoS.AT_LEAST_ONCE, false, List.of(), null))));
    ByteBuffer.wrap(batch).putInt(BatchCodec.FORMAT_2);

    assertThrows(RecordFormatException.class, () -> BatchCodec.decode(batch));
  }

  @Test
  void aBatchOfTheFirstFormatIsStillReadAsServingNoGroup() throws Exception {
    Message m = Message.of("old/t", bytes("v1"), QoS.AT_LEAST_ONCE, false);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(1); // format 1: the count first
      byte[] record = RecordCodec.encodeMessage(m);
      out.writeInt(record.length);
      out.write(record);
    }

    List<Forwarded> received = BatchCodec.decode(bytes.toByteArray());

    assertEquals(1, received.size());
    assertSame(m, received.get(0).message());
    assertEquals(GroupAssignment.NONE, received.get(0).groups());
  }

  @Test
  void aDamagedBatchIsRefusedRatherThanDelivered() throws IOException {
    byte[] batch = BatchCodec.encode(List.of(new Forwarded(Message.of("t", bytes("payload"),
        QoS.AT_LEAST_ONCE, false), GroupAssignment.NONE)));
    byte[] flipped = batch.clone();
    flipped[flipped.length - 6] ^= 0x20;
    ByteArrayOutputStream unknown = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(unknown)) {
      out.writeInt(-4);
      out.writeInt(0);
    }

    assertThrows(RecordFormatException.class, () -> BatchCodec.decode(flipped));
    assertThrows(RecordFormatException.class,
        () -> BatchCodec.decode(Arrays.copyOf(batch, batch.length - 1)));
    assertThrows(RecordFormatException.class, () -> BatchCodec.decode(new byte[] {0, 0, 1, 0}));
    assertThrows(RecordFormatException.class, () -> BatchCodec.decode(unknown.toByteArray()),
        "a format this node does not know");
  }

  @Test
  void aGroupThatIsNoSharedSubscriptionIsRefused() {
    byte[] batch = BatchCodec.encode(List.of(new Forwarded(Message.of("t", bytes("p"),
        QoS.AT_LEAST_ONCE, false), new GroupAssignment(List.of("$share/g/t"), false))));
    byte[] damaged = batch.clone();
    damaged[damaged.length - "$share/g/t".length()] = 'X'; // "Xshare/g/t"

    assertThrows(RecordFormatException.class, () -> BatchCodec.decode(damaged));
  }

  private static void assertSame(Message s, Message r) {
    assertEquals(s.topic(), r.topic());
    assertArrayEquals(s.payload(), r.payload());
    assertEquals(s.qos(), r.qos());
    assertEquals(s.retain(), r.retain());
    assertEquals(s.properties(), r.properties());
    assertEquals(s.expiresAtMillis(), r.expiresAtMillis());
    assertEquals(s.originClientId(), r.originClientId());
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
