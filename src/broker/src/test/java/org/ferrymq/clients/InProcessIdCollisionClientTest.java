package org.ferrymq.clients;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.ferrymq.engine.LocalSubscription;
import org.ferrymq.engine.MqttBroker;
import org.ferrymq.engine.TestBrokers;
import org.ferrymq.message.Message;
import org.ferrymq.packet.QoS;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 16: an in-process subscriber (a message-driven bean, the in-process connection factory)
 * must not be disturbed by a network client whatever client id that client picks. In-process
 * subscribers are keyed apart from sessions, by keys that begin with U+0000, which no MQTT
 * string may contain [MQTT-1.5.4-2]. Every reserved form is tried over a real socket, with a
 * raw client and with Paho v3 and v5: the former {@code $local-N} ids, the bare prefix, and
 * the exact keys in use. A client id of the former form is an ordinary client now; one that
 * carries U+0000 is a malformed CONNECT and the connection is closed without CONNACK
 * [MQTT-1.5.4-2]. Through all of it, before and after each client leaves, both in-process
 * subscribers (one plain, one the only member of a shared group) receive every message.
 */
class InProcessIdCollisionClientTest {
  private static final String FILTER = "app/#";

  @RegisterExtension
  final OpenClients clients = new OpenClients();

  private RunningBroker sut;
  private final List<String> plain = new CopyOnWriteArrayList<>();
  private final List<String> shared = new CopyOnWriteArrayList<>();
  private final List<LocalSubscription> local = new ArrayList<>();
  private int markers;

  @BeforeEach
  void start() throws IOException {
    sut = RunningBroker.startTcp();
    local.add(broker().subscribe(FILTER, QoS.AT_LEAST_ONCE, m -> plain.add(text(m))));
    local.add(broker().subscribe("$share/workers/" + FILTER, QoS.AT_LEAST_ONCE,
        m -> shared.add(text(m))));
  }

  @AfterEach
  void stop() {
    local.forEach(LocalSubscription::close);
    sut.stop();
  }

  private MqttBroker broker() {
    return sut.broker();
  }

  /** Client ids a network client could pick to reach an in-process subscriber. */
  private List<String> reservedForms() {
    List<String> forms = new ArrayList<>(List.of("$local-1", "$local-2", "$local-3", "$local-",
        "$local-0", "in-process-1", "in-process-2"));
    forms.addAll(TestBrokers.inProcessKeys(broker()));
    forms.add("\u0000");
    return forms;
  }

  private static boolean carriesNul(String clientId) {
    return clientId.indexOf('\u0000') >= 0;
  }

  @Test
  @DisplayName("Raw MQTT 3.1.1 and MQTT 5 clients with every reserved id form: in-process "
      + "subscribers keep receiving while each is connected and after it left")
  void rawClientsWithReservedIdsDisturbNoInProcessSubscriber() throws Exception {
    for (String id : reservedForms()) {
      for (int level : new int[] {4, 5}) {
        try (RawClient client = RawClient.open(sut.port())) {
          // Exercise
          int code = client.connect(id, level);

          // Verify
          if (carriesNul(id)) {
            assertEquals(RawClient.CLOSED, code, "[MQTT-1.5.4-2] U+0000 in " + printable(id));
          } else {
            assertEquals(0, code, printable(id));
            client.subscribe(FILTER, level);
            String during = publishMarker();
            assertEquals(during, client.nextPublishPayload(level), "the client's own session");
            client.disconnect();
          }
          awaitEveryInProcessSubscriberHas(publishMarker());
        }
      }
    }
  }

  @Test
  @DisplayName("A network client that took a reserved id before the in-process subscription "
      + "existed leaves it undisturbed, also after leaving")
  void clientBeforeTheInProcessSubscription() throws Exception {
    List<String> third = new CopyOnWriteArrayList<>();
    try (RawClient client = RawClient.open(sut.port())) {
      assertEquals(0, client.connect("$local-3", 5));
      client.subscribe(FILTER, 5);

      // Exercise
      local.add(broker().subscribe(FILTER, QoS.AT_LEAST_ONCE, m -> third.add(text(m))));
      String during = publishMarker();
      assertEquals(during, client.nextPublishPayload(5));
      client.disconnect();
    }
    String after = publishMarker();

    // Verify
    Inbox.waiting().until(() -> third.contains(after));
    assertEquals(2, third.size(), third::toString);
    awaitEveryInProcessSubscriberHas(after);
  }

  @Test
  @DisplayName("Paho v3 (MQTT 3.1.1) and Paho v5 with every reserved id form: in-process "
      + "subscribers keep receiving; ids with U+0000 never get connected")
  void pahoClientsWithReservedIdsDisturbNoInProcessSubscriber() throws Exception {
    for (String id : reservedForms()) {
      if (carriesNul(id)) {
        assertThrows(Exception.class, () -> pahoV3(id), printable(id));
        assertThrows(Exception.class, () -> pahoV5(id), printable(id));
        awaitEveryInProcessSubscriberHas(publishMarker());
        continue;
      }
      Inbox<String> v3Inbox = new Inbox<>();
      org.eclipse.paho.client.mqttv3.MqttClient v3 = pahoV3(id);
      v3.setCallback(PahoCallbacks.v3(v3Inbox));
      receivesThenLeaves(v3Inbox, () -> v3.subscribe(FILTER, 1), v3::disconnect);

      Inbox<String> v5Inbox = new Inbox<>();
      org.eclipse.paho.mqttv5.client.MqttClient v5 = pahoV5(id);
      v5.setCallback(PahoCallbacks.v5(v5Inbox));
      receivesThenLeaves(v5Inbox, () -> v5.subscribe(FILTER, 1), v5::disconnect);
    }
    assertEquals(0, broker().authStats().takeoversRefused());
  }

  /** One step of a client library's session. */
  @FunctionalInterface
  private interface Step {
    void run() throws Exception;
  }

  /**
   * The client subscribes to what the in-process subscribers have and receives on its own
   * session; once it left, the in-process subscribers still receive.
   */
  private void receivesThenLeaves(Inbox<String> inbox, Step subscribe, Step leave)
      throws Exception {
    subscribe.run();
    String during = publishMarker();
    inbox.awaitMatching(during::equals);
    leave.run();
    awaitEveryInProcessSubscriberHas(publishMarker());
  }

  private org.eclipse.paho.client.mqttv3.MqttClient pahoV3(String id) throws Exception {
    var client = new org.eclipse.paho.client.mqttv3.MqttClient(sut.uri(), id,
        new org.eclipse.paho.client.mqttv3.persist.MemoryPersistence());
    clients.add(client::close);
    MqttConnectOptions options = new MqttConnectOptions();
    options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
    options.setCleanSession(false);
    options.setConnectionTimeout(5);
    client.connect(options);
    return client;
  }

  private org.eclipse.paho.mqttv5.client.MqttClient pahoV5(String id) throws Exception {
    var client = new org.eclipse.paho.mqttv5.client.MqttClient(sut.uri(), id,
        new org.eclipse.paho.mqttv5.client.persist.MemoryPersistence());
    clients.add(client::close);
    MqttConnectionOptions options = new MqttConnectionOptions();
    options.setCleanStart(false);
    options.setSessionExpiryInterval(3600L);
    options.setConnectionTimeout(5);
    client.connect(options);
    return client;
  }

  /** Publishes a new marker to {@code app/...} in process and returns its payload. */
  private String publishMarker() {
    String marker = "m-" + ++markers;
    broker().publish(Message.of("app/" + marker, marker.getBytes(StandardCharsets.UTF_8),
        QoS.AT_LEAST_ONCE, false));
    return marker;
  }

  private void awaitEveryInProcessSubscriberHas(String marker) {
    Inbox.waiting().until(() -> plain.contains(marker) && shared.contains(marker));
    assertEquals(markers, plain.size(), "every marker once, no loss: " + plain);
    assertEquals(markers, shared.size(), "every marker once, no loss: " + shared);
  }

  private static String text(Message m) {
    return new String(m.payload(), StandardCharsets.UTF_8);
  }

  private static String printable(String id) {
    return "'" + id.replace("\u0000", "\\u0000") + "'";
  }

  /** The two Paho callback shapes, each adding payloads to an inbox. */
  private static final class PahoCallbacks {
    static org.eclipse.paho.client.mqttv3.MqttCallback v3(Inbox<String> inbox) {
      return new org.eclipse.paho.client.mqttv3.MqttCallback() {
        @Override
        public void connectionLost(Throwable cause) {
        }

        @Override
        public void messageArrived(String topic,
            org.eclipse.paho.client.mqttv3.MqttMessage message) {
          inbox.add(new String(message.getPayload(), StandardCharsets.UTF_8));
        }

        @Override
        public void deliveryComplete(org.eclipse.paho.client.mqttv3.IMqttDeliveryToken token) {
        }
      };
    }

    static org.eclipse.paho.mqttv5.client.MqttCallback v5(Inbox<String> inbox) {
      return new org.eclipse.paho.mqttv5.client.MqttCallback() {
        @Override
        public void disconnected(org.eclipse.paho.mqttv5.client.MqttDisconnectResponse r) {
        }

        @Override
        public void mqttErrorOccurred(org.eclipse.paho.mqttv5.common.MqttException e) {
        }

        @Override
        public void messageArrived(String topic,
            org.eclipse.paho.mqttv5.common.MqttMessage message) {
          inbox.add(new String(message.getPayload(), StandardCharsets.UTF_8));
        }

        @Override
        public void deliveryComplete(org.eclipse.paho.mqttv5.client.IMqttToken token) {
        }

        @Override
        public void connectComplete(boolean reconnect, String serverURI) {
        }

        @Override
        public void authPacketArrived(int reasonCode,
            org.eclipse.paho.mqttv5.common.packet.MqttProperties properties) {
        }
      };
    }
  }

  /**
   * A minimal MQTT client over a plain socket, so that any bytes can be sent as the client id
   * (client libraries may refuse U+0000 before it reaches the broker).
   */
  private static final class RawClient implements AutoCloseable {
    /** What {@link #connect} returns when the broker closed without CONNACK. */
    static final int CLOSED = -1;
    private final Socket socket;
    private final DataInputStream in;

    private RawClient(Socket socket) throws IOException {
      this.socket = socket;
      this.in = new DataInputStream(socket.getInputStream());
    }

    static RawClient open(int port) throws IOException {
      Socket socket = new Socket(RunningBroker.HOST, port);
      socket.setSoTimeout(10_000);
      return new RawClient(socket);
    }

    /**
     * Sends CONNECT without clean start (MQTT 5: session expiry one hour), so the session
     * outlives the connection.
     *
     * @param level 4 for MQTT 3.1.1, 5 for MQTT 5
     * @return the CONNACK return code / reason code, or {@link #CLOSED}
     */
    int connect(String clientId, int level) throws IOException {
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      body.writeBytes(new byte[] {0, 4, 'M', 'Q', 'T', 'T', (byte) level});
      body.write(0x00); // connect flags: no clean start, no Will, no user name or password
      body.writeBytes(new byte[] {0, 60}); // keep alive
      if (level == 5) {
        body.writeBytes(new byte[] {5, 0x11, 0, 0, 0x0E, 0x10}); // Session Expiry Interval 3600
      }
      string(body, clientId);
      send(0x10, body);
      byte[] ack = readPacket();
      if (ack == null) {
        return CLOSED;
      }
      assertEquals(0x20, ack[0] & 0xFF, "CONNACK");
      return ack[3] & 0xFF; // after the session-present flags
    }

    /** Subscribes at QoS 0 with packet identifier 1 and checks the SUBACK. */
    void subscribe(String filter, int level) throws IOException {
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      body.writeBytes(new byte[] {0, 1}); // packet identifier
      if (level == 5) {
        body.write(0); // no properties
      }
      string(body, filter);
      body.write(0); // options: QoS 0
      send(0x82, body);
      byte[] ack = readPacket();
      assertTrue(ack != null && (ack[0] & 0xFF) == 0x90, "SUBACK");
      assertEquals(0, ack[ack.length - 1], "granted QoS 0");
    }

    /** @return the payload of the next packet, which must be a QoS 0 PUBLISH */
    String nextPublishPayload(int level) throws IOException {
      byte[] p = readPacket();
      assertTrue(p != null && (p[0] & 0xF0) == 0x30, "PUBLISH");
      int at = 2 + ((p[1] & 0x80) != 0 ? 1 : 0);
      int topicLength = ((p[at] & 0xFF) << 8) | (p[at + 1] & 0xFF);
      at += 2 + topicLength;
      if (level == 5) {
        at += 1 + p[at]; // properties: short in these tests
      }
      return new String(p, at, p.length - at, StandardCharsets.UTF_8);
    }

    void disconnect() throws IOException {
      socket.getOutputStream().write(new byte[] {(byte) 0xE0, 0});
      assertNull(readPacket(), "the broker closes after DISCONNECT [MQTT-3.14.4-1]");
    }

    private void send(int header, ByteArrayOutputStream body) throws IOException {
      ByteArrayOutputStream packet = new ByteArrayOutputStream();
      packet.write(header);
      int remaining = body.size();
      do {
        int digit = remaining % 128;
        remaining /= 128;
        packet.write(remaining > 0 ? digit | 0x80 : digit);
      } while (remaining > 0);
      packet.writeBytes(body.toByteArray());
      socket.getOutputStream().write(packet.toByteArray());
    }

    /** @return one whole packet, fixed header included, or null once the broker closed */
    private byte[] readPacket() throws IOException {
      try {
        int first = in.read();
        if (first < 0) {
          return null;
        }
        ByteArrayOutputStream packet = new ByteArrayOutputStream();
        packet.write(first);
        int length = 0;
        int shift = 0;
        int digit;
        do {
          digit = in.readUnsignedByte();
          packet.write(digit);
          length |= (digit & 0x7F) << shift;
          shift += 7;
        } while ((digit & 0x80) != 0);
        byte[] body = new byte[length];
        in.readFully(body);
        packet.writeBytes(body);
        return packet.toByteArray();
      } catch (EOFException | SocketException closed) {
        return null;
      }
    }

    private static void string(ByteArrayOutputStream out, String s) {
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      out.write(b.length >> 8);
      out.write(b.length);
      out.writeBytes(b);
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }
}
