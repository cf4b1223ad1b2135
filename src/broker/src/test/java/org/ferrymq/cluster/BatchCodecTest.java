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
import java.util.Set;
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
        .map(m -> new Forwarded(m, GroupAssignment.NONE)).toList(), Set.of())).messages();

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

    List<Forwarded> received = BatchCodec.decode(BatchCodec.encode(sent, Set.of())).messages();

    assertEquals(List.of(two, GroupAssignment.NONE, relayed),
        received.stream().map(Forwarded::groups).toList());
    for (int i = 0; i < sent.size(); i++) {
      assertSame(sent.get(i).message(), received.get(i).message());
    }
  }

  @Test
  void aMessageForTheSessionsOfANodeThatDiedNamesItAndTheBatchTheAdoptionsItWaitsFor()
      throws RecordFormatException {
    Message qos2 = new Message("t/2", bytes("b"), QoS.EXACTLY_ONCE, false, Properties.EMPTY, 0,
        "publisher-3", 42);
    Forwarded again = new Forwarded(qos2, new GroupAssignment(List.of("$share/g/t/#"), false))
        .redirected("node-that-died");
    List<Forwarded> sent = List.of(
        new Forwarded(Message.of("t/1", bytes("a"), QoS.AT_LEAST_ONCE, false),
            GroupAssignment.NONE), again);

    BatchCodec.Batch received = BatchCodec.decode(BatchCodec.encode(sent,
        Set.of("node-that-died", "another")));

    assertEquals(Set.of("node-that-died", "another"), received.adoptions());
    assertEquals(Arrays.asList(null, "node-that-died"),
        received.messages().stream().map(Forwarded::forDeparted).toList());
    assertEquals(GroupAssignment.NONE, received.messages().get(1).groups(),
        "the groups stay with the origin, which gives them to other members");
    assertEquals(42, received.messages().get(1).message().originSequence(),
        "the publisher's number: the message's identity cluster-wide");
  }

  @Test
  void aBatchOfTheSecondFormatIsStillReadAsForTheNodesOwnReceivers() throws Exception {
    Message m = Message.of("old/t", bytes("v2"), QoS.EXACTLY_ONCE, false);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(BatchCodec.FORMAT_2);
      out.writeInt(1); // message count
      byte[] record = RecordCodec.encodeMessage(m);
      out.writeInt(record.length);
      out.write(record);
      out.writeByte(1); // flags: relayed
      out.writeShort(1); // one group
      out.writeShort("$share/g/old/t".length());
      out.write(bytes("$share/g/old/t"));
    }

    BatchCodec.Batch received = BatchCodec.decode(bytes.toByteArray());

    assertEquals(Set.of(), received.adoptions());
    assertEquals(new GroupAssignment(List.of("$share/g/old/t"), true),
        received.messages().get(0).groups());
    assertEquals(null, received.messages().get(0).forDeparted());
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

    byte[] batch = BatchCodec.encode(sent, Set.of());
    List<Forwarded> received = BatchCodec.decode(batch).messages();

    assertEquals(BatchCodec.FORMAT_4, ByteBuffer.wrap(batch).getInt());
    assertEquals(Arrays.asList(granted, null, shared),
        received.stream().map(Forwarded::session).toList());
    assertEquals(sent.get(1).groups(), received.get(1).groups());
    assertEquals(42, received.get(0).message().originSequence(), "its QoS 2 identity");
  }

  @Test
  void aFormat2BatchThatAddressesASessionIsRefused() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(BatchCodec.FORMAT_2);
      out.writeInt(1); // message count
      byte[] record = RecordCodec.encodeMessage(Message.of("t", bytes("p"), QoS.AT_LEAST_ONCE,
          false));
      out.writeInt(record.length);
      out.write(record);
      out.writeByte(4); // flags: addressed to a session, which format 2 cannot say
      out.writeShort(0); // no group
    }

    assertThrows(RecordFormatException.class, () -> BatchCodec.decode(bytes.toByteArray()));
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

    List<Forwarded> received = BatchCodec.decode(bytes.toByteArray()).messages();

    assertEquals(1, received.size());
    assertSame(m, received.get(0).message());
    assertEquals(GroupAssignment.NONE, received.get(0).groups());
  }

  @Test
  void aDamagedBatchIsRefusedRatherThanDelivered() throws IOException {
    byte[] batch = BatchCodec.encode(List.of(new Forwarded(Message.of("t", bytes("payload"),
        QoS.AT_LEAST_ONCE, false), GroupAssignment.NONE)), Set.of());
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
        QoS.AT_LEAST_ONCE, false), new GroupAssignment(List.of("$share/g/t"), false))),
        Set.of());
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
