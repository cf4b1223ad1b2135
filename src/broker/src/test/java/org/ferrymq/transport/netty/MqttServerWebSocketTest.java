package org.ferrymq.transport.netty;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.mqttv5.client.IMqttMessageListener;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.ferrymq.engine.ClientSummary;
import org.ferrymq.message.Message;
import org.ferrymq.engine.MqttBroker;
import org.ferrymq.packet.ConnAck;
import org.ferrymq.packet.Connect;
import org.ferrymq.packet.Disconnect;
import org.ferrymq.packet.Packet;
import org.ferrymq.packet.Properties;
import org.ferrymq.packet.ProtocolVersion;
import org.ferrymq.packet.Publish;
import org.ferrymq.packet.QoS;
import org.ferrymq.packet.ReasonCode;
import org.ferrymq.packet.SubAck;
import org.ferrymq.packet.Subscribe;
import org.ferrymq.packet.Subscription;
import org.ferrymq.security.Authenticator;
import org.ferrymq.security.ConnectRequest;
import org.ferrymq.transport.TransportInfo;
import org.ferrymq.transport.TransportKind;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * MQTT over WebSocket on the Netty listener (MQTT 5.0 and 3.1.1 section 6), against a real
 * {@link MqttBroker} served on two ephemeral loopback ports, plain TCP and ws; wss and a listener
 * with a small frame limit are bound by the tests that need them.
 *
 * <p>Real clients (Paho v3 and v5) exchange messages across ws and TCP. A {@link RawWebSocket}
 * written by hand checks what the clients hide: the upgrade, how MQTT packets may sit in frames,
 * and the Close frames and status codes the listener sends. MQTT packets for the raw client are
 * encoded and decoded with the project's codec. Every wait is bounded: Paho's time to wait, a
 * queue poll, the raw socket's read timeout or Awaitility.
 *
 * <p>The normative statements of MQTT 5.0 section 6 checked here:
 *
 * <ul>
 *   <li>[MQTT-6.0.0-1] MQTT Control Packets MUST be sent in WebSocket binary data frames. If any
 *       other type of data frame is received the recipient MUST close the Network Connection.
 *   <li>[MQTT-6.0.0-2] A single WebSocket data frame can contain multiple or partial MQTT
 *       Control Packets. The receiver MUST NOT assume that MQTT Control Packets are aligned on
 *       WebSocket frame boundaries.
 *   <li>[MQTT-6.0.0-3] The Client MUST include "mqtt" in the list of WebSocket Sub Protocols it
 *       offers.
 *   <li>[MQTT-6.0.0-4] The WebSocket Subprotocol name selected and returned by the Server MUST
 *       be "mqtt".
 * </ul>
 *
 * <p>Numbered as in MQTT 5.0 and 3.1.1 alike; section 6 has no [MQTT-6.0.0-5].
 */
class MqttServerWebSocketTest {

  private static final String HOST = "127.0.0.1";
  private static final long TIMEOUT_MILLIS = 10_000;
  private static final char[] PASSWORD = "ferry-ws-test".toCharArray();

  @TempDir
  static Path dir;

  /** Every CONNECT the engine's authenticator saw, with the transport facts it was given. */
  private static final List<ConnectRequest> connects = new CopyOnWriteArrayList<>();
  private static final CountingExecutor executor = new CountingExecutor();
  private static MqttBroker broker;
  private static MqttServer server;
  private static BoundListener tcp;
  private static BoundListener ws;

  /** What the test opened: clients, sockets, extra listeners; closed after each test. */
  private final List<AutoCloseable> opened = new ArrayList<>();

  /** One message as a Paho callback saw it. */
  record Delivery(String topic, int qos, byte[] payload) {
  }

  /** The Paho clients: v3 speaking MQTT 3.1.1, v5 speaking MQTT 5. */
  enum Paho { V3, V5 }

  /** A connected Paho client of either version, with what the tests need of it. */
  interface PahoClient extends AutoCloseable {
    /**
     * @param inbox where messages matching the filter go
     * @return the granted QoS
     */
    int subscribe(String filter, int qos, BlockingQueue<Delivery> inbox) throws Exception;

    void publish(String topic, byte[] payload, int qos) throws Exception;
  }

  @BeforeAll
  static void startBroker() throws IOException {
    broker = MqttBroker.builder()
        .authenticator(request -> {
          connects.add(request);
          return Authenticator.ALLOW_ALL.authenticate(request);
        })
        .build();
    broker.start();
    server = new MqttServer(broker, executor, 2);
    tcp = server.bind(ListenerSettings.tcp(HOST, 0));
    ws = server.bind(ListenerSettings.tcp(HOST, 0)
        .withWebSocket(WebSocketSettings.forMaxPacketSize(broker.config().maxPacketSize())));
  }

  @AfterAll
  static void stopBroker() {
    server.close();
    broker.stop();
    await().atMost(Duration.ofSeconds(5)).until(() -> executor.running.get() == 0);
  }

  @AfterEach
  void closeWhatTheTestOpened() {
    // clients first, the listeners they connected to last
    for (int i = opened.size() - 1; i >= 0; i--) {
      try {
        opened.get(i).close();
      } catch (Exception alreadyGone) {
        // the outcome is decided; a client the broker already dropped may refuse to close
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Real clients

  @ParameterizedTest(name = "Paho {0}, subscriber on {1}, publisher on the other transport")
  @CsvSource({"V3, ws", "V3, tcp", "V5, ws", "V5, tcp"})
  void pahoExchangesEveryQosBetweenWebSocketAndTcp(Paho paho, String subscriberOn)
      throws Exception {
    boolean subscriberOnWs = subscriberOn.equals("ws");
    String topic = "ws/" + paho + "/" + subscriberOn;
    String subscriberId = paho + "-sub-" + subscriberOn;
    String publisherId = paho + "-pub-" + subscriberOn;
    BlockingQueue<Delivery> inbox = new LinkedBlockingQueue<>();
    PahoClient subscriber = paho(paho, subscriberOnWs ? wsUri(ws) : tcpUri(), subscriberId, null);
    PahoClient publisher = paho(paho, subscriberOnWs ? tcpUri() : wsUri(ws), publisherId, null);
    assertEquals(2, subscriber.subscribe(topic, 2, inbox));
    byte[][] payloads = randomPayloads(3, 100);

    // Exercise
    for (int qos = 0; qos <= 2; qos++) {
      publisher.publish(topic, payloads[qos], qos);
    }

    // Verify
    for (int qos = 0; qos <= 2; qos++) {
      Delivery delivery = take(inbox);
      assertEquals(topic, delivery.topic());
      assertEquals(qos, delivery.qos());
      assertArrayEquals(payloads[qos], delivery.payload());
    }
    String onWs = subscriberOnWs ? subscriberId : publisherId;
    String onTcp = subscriberOnWs ? publisherId : subscriberId;
    assertEquals(TransportKind.WS, summary(onWs).transport());
    assertEquals(TransportKind.TCP, summary(onTcp).transport());
  }

  @Test
  @DisplayName("a 200 KiB publish over ws reaches a ws and a tcp subscriber intact")
  void largePublishOverWebSocketArrivesIntact() throws Exception {
    BlockingQueue<Delivery> wsInbox = new LinkedBlockingQueue<>();
    BlockingQueue<Delivery> tcpInbox = new LinkedBlockingQueue<>();
    paho(Paho.V5, wsUri(ws), "big-sub-ws", null).subscribe("ws/big", 1, wsInbox);
    paho(Paho.V3, tcpUri(), "big-sub-tcp", null).subscribe("ws/big", 1, tcpInbox);
    PahoClient publisher = paho(Paho.V3, wsUri(ws), "big-pub-ws", null);
    byte[] payload = randomPayloads(1, 200 * 1024)[0];

    // Exercise
    publisher.publish("ws/big", payload, 1);

    // Verify
    assertArrayEquals(payload, take(wsInbox).payload());
    assertArrayEquals(payload, take(tcpInbox).payload());
  }

  // ---------------------------------------------------------------------------------------------
  // The upgrade

  @Test
  @DisplayName("[MQTT-6.0.0-3] the client offers \"mqtt\"; [MQTT-6.0.0-4] the server selects it")
  void upgradeSelectsTheMqttSubprotocol() throws Exception {
    // Exercise: "mqtt" is offered after a subprotocol the server does not speak
    RawWebSocket client = rawWs(ws, "/mqtt", "chat", "mqtt");

    // Verify
    assertEquals(101, client.status());
    assertEquals("websocket", client.header("Upgrade").toLowerCase(Locale.ROOT));
    assertEquals(client.expectedAccept(), client.header("Sec-WebSocket-Accept"));
    assertEquals("mqtt", client.header("Sec-WebSocket-Protocol"));
    assertNull(client.header("Sec-WebSocket-Extensions"), "no extension was offered");
    client.sendPackets(ProtocolVersion.MQTT_3_1_1, connect311("raw-upgrade"));
    assertEquals(ReasonCode.SUCCESS, client.read(ConnAck.class).reasonCode());
  }

  @ParameterizedTest(name = "offered: \"{0}\"")
  @ValueSource(strings = {"", "chat"})
  @DisplayName("[MQTT-6.0.0-3] an upgrade without \"mqtt\" is closed with 1002, no session made")
  void upgradeWithoutMqttSubprotocolIsClosedWith1002(String offered) throws Exception {
    long connectionsBefore = broker.stats().connectionsTotal();

    // Exercise
    RawWebSocket client = offered.isEmpty() ? rawWs(ws, "/mqtt") : rawWs(ws, "/mqtt", offered);

    // Verify: the upgrade itself succeeds, then the server closes before MQTT starts
    assertEquals(101, client.status());
    assertNull(client.header("Sec-WebSocket-Protocol"), "no subprotocol can be selected");
    assertClosedWith(1002, client.readFrame(), client);
    assertEquals(connectionsBefore, broker.stats().connectionsTotal(),
        "the engine never saw the connection");
    await().until(() -> ws.openConnections() == 0);
  }

  @Test
  @DisplayName("an upgrade request for another path gets HTTP 404")
  void upgradeOnAnotherPathGets404() throws Exception {
    RawWebSocket client = rawWs(ws, "/other", "mqtt");

    assertEquals(404, client.status());
    assertTrue(client.endOfStream());
  }

  @Test
  @DisplayName("a plain GET of the MQTT path without upgrade headers gets an HTTP 4xx")
  void plainGetOfTheMqttPathGetsAClientError() throws Exception {
    long connectionsBefore = broker.stats().connectionsTotal();

    // Exercise
    RawWebSocket client = RawWebSocket.request(socket(ws), null,
        "GET /mqtt HTTP/1.1\r\nHost: " + HOST + ":" + ws.port() + "\r\n\r\n");

    // Verify
    assertTrue(client.status() >= 400 && client.status() < 500, "status " + client.status());
    client.readToEnd(); // the body, if any, ends with the connection
    assertEquals(connectionsBefore, broker.stats().connectionsTotal());
  }

  // ---------------------------------------------------------------------------------------------
  // Framing

  /** Ways to cut the byte stream CONNECT, SUBSCRIBE, PUBLISH into WebSocket frames. */
  enum Layout {
    /** [MQTT-6.0.0-2] the receiver MUST NOT assume packets are aligned on frame boundaries. */
    CONNECT_SPLIT_ACROSS_TWO_FRAMES,
    /** [MQTT-6.0.0-2] a single WebSocket data frame can contain multiple MQTT packets. */
    ALL_THREE_PACKETS_IN_ONE_FRAME,
    /** Frames of 5 bytes: packets begin and end in the middle of frames. */
    FIVE_BYTES_PER_FRAME,
    /** One message in a binary frame and continuation frames (RFC 6455 5.4 fragmentation). */
    ONE_FRAGMENTED_MESSAGE;

    void send(RawWebSocket client, byte[] connect, byte[] rest) throws IOException {
      byte[] all = concat(connect, rest);
      switch (this) {
        case CONNECT_SPLIT_ACROSS_TWO_FRAMES -> client.sendBinary(
            Arrays.copyOfRange(connect, 0, connect.length / 2),
            Arrays.copyOfRange(connect, connect.length / 2, connect.length), rest);
        case ALL_THREE_PACKETS_IN_ONE_FRAME -> client.sendBinary(all);
        case FIVE_BYTES_PER_FRAME -> {
          for (int i = 0; i < all.length; i += 5) {
            client.sendBinary(Arrays.copyOfRange(all, i, Math.min(all.length, i + 5)));
          }
        }
        case ONE_FRAGMENTED_MESSAGE -> {
          int third = all.length / 3;
          client.send(RawWebSocket.BINARY, false, Arrays.copyOfRange(all, 0, third));
          client.send(RawWebSocket.CONTINUATION, false,
              Arrays.copyOfRange(all, third, 2 * third));
          client.send(RawWebSocket.CONTINUATION, true,
              Arrays.copyOfRange(all, 2 * third, all.length));
        }
        default -> throw new IllegalStateException(name());
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Layout.class)
  @DisplayName("[MQTT-6.0.0-2] a frame can hold several or partial packets; the server copes")
  void packetsArriveWholeHoweverTheyAreCutIntoFrames(Layout layout) throws Exception {
    String topic = "raw/layout/" + layout;
    byte[] payload = randomPayloads(1, 300)[0];
    RawWebSocket client = rawWs(ws, "/mqtt", "mqtt");
    byte[] connect = RawWebSocket.encode(ProtocolVersion.MQTT_3_1_1,
        connect311("raw-" + layout.ordinal()));
    byte[] rest = RawWebSocket.encode(ProtocolVersion.MQTT_3_1_1,
        subscribe(7, topic), publish(topic, payload));

    // Exercise
    layout.send(client, connect, rest);

    // Verify
    assertEquals(ReasonCode.SUCCESS, client.read(ConnAck.class).reasonCode());
    SubAck subAck = client.read(SubAck.class);
    assertEquals(7, subAck.packetId());
    assertEquals(List.of(ReasonCode.SUCCESS), subAck.reasonCodes());
    Publish delivered = client.read(Publish.class);
    assertEquals(topic, delivered.topic());
    assertArrayEquals(payload, delivered.payload());
  }

  @Test
  @DisplayName("[MQTT-6.0.0-2] deliveries flushed together may share one binary frame")
  void deliveriesFlushedTogetherShareOneFrame() throws Exception {
    int count = 20;
    for (int i = 0; i < count; i++) {
      broker.publish(Message.of("raw/retained/" + i, ("r" + i).getBytes(StandardCharsets.UTF_8),
          QoS.AT_MOST_ONCE, true));
    }
    await().until(() -> broker.stats().retainedMessages() >= count);
    RawWebSocket client = rawWs(ws, "/mqtt", "mqtt");

    // Exercise: the SUBSCRIBE is answered by SUBACK and every retained message in one batch
    client.sendPackets(ProtocolVersion.MQTT_3_1_1, connect311("raw-batch"),
        subscribe(1, "raw/retained/#"));

    // Verify: read as one byte stream, and count which frames the packets ended in
    assertInstanceOf(ConnAck.class, client.readPacket().packet());
    assertInstanceOf(SubAck.class, client.readPacket().packet());
    List<String> payloads = new ArrayList<>();
    List<Integer> frames = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      RawWebSocket.Received received = client.readPacket();
      Publish publish = assertInstanceOf(Publish.class, received.packet());
      assertTrue(publish.retain());
      payloads.add(new String(publish.payload(), StandardCharsets.UTF_8));
      frames.add(received.frame());
    }
    assertEquals(count, payloads.stream().distinct().count(), payloads::toString);
    assertTrue(frames.stream().distinct().count() < count,
        () -> "each delivery had a frame of its own: " + frames);
    assertEquals(0, client.undecodedBytes());
  }

  /** Frames the listener must refuse, as raw bytes, with the Close status they earn. */
  enum RefusedFrame {
    /** [MQTT-6.0.0-1] MQTT Control Packets MUST be sent in WebSocket binary data frames. */
    TEXT(1003, 0x81, 0x85, 1, 2, 3, 4, 'h' ^ 1, 'e' ^ 2, 'l' ^ 3, 'l' ^ 4, 'o' ^ 1),
    /** [RFC 6455 5.1] a server MUST close the connection on a frame that is not masked. */
    UNMASKED_BINARY(1002, 0x82, 0x02, 0xC0, 0x00);

    final int status;
    final byte[] bytes;

    RefusedFrame(int status, int... bytes) {
      this.status = status;
      this.bytes = new byte[bytes.length];
      for (int i = 0; i < bytes.length; i++) {
        this.bytes[i] = (byte) bytes[i];
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(RefusedFrame.class)
  @DisplayName("[MQTT-6.0.0-1] a text frame is closed with 1003, an unmasked one with 1002")
  void refusedFrameIsAnsweredWithOneCloseFrame(RefusedFrame refused) throws Exception {
    String clientId = "raw-refused-" + refused.ordinal();
    RawWebSocket client = connected(ws, clientId);
    await().until(() -> isConnected(clientId));

    // Exercise
    client.sendRaw(refused.bytes);

    // Verify
    assertClosedWith(refused.status, client.readFrame(), client);
    await().until(() -> !isConnected(clientId));
  }

  @Test
  @DisplayName("a frame over WebSocketSettings.maxFrameBytes closes with 1009; one at it passes")
  void frameOverTheLimitIsClosedWith1009() throws Exception {
    BoundListener small = listener(ListenerSettings.tcp(HOST, 0)
        .withWebSocket(new WebSocketSettings("/mqtt", 1024)));
    RawWebSocket client = rawWs(small, "/mqtt", "mqtt");
    client.sendPackets(ProtocolVersion.MQTT_3_1_1, connect311("raw-limit"),
        subscribe(1, "raw/limit"));
    assertInstanceOf(ConnAck.class, client.readPacket().packet());
    assertInstanceOf(SubAck.class, client.readPacket().packet());
    // PUBLISH header: type byte, 2 length bytes, 2 + 9 topic bytes: 14 bytes before the payload
    byte[] fits = RawWebSocket.encode(ProtocolVersion.MQTT_3_1_1,
        publish("raw/limit", new byte[1024 - 14]));
    assertEquals(1024, fits.length);
    client.sendBinary(fits);
    assertEquals(1024 - 14, client.read(Publish.class).payload().length);

    // Exercise
    client.sendBinary(RawWebSocket.encode(ProtocolVersion.MQTT_3_1_1,
        publish("raw/limit", new byte[1024 - 14 + 1])));

    // Verify
    assertClosedWith(1009, client.readFrame(), client);
    await().until(() -> !isConnected("raw-limit"));
  }

  @Test
  @DisplayName("a ping is answered with a pong; a client Close is answered with one Close")
  void clientCloseIsAnsweredOnceAndEndsTheSession() throws Exception {
    RawWebSocket client = connected(ws, "raw-bye");
    client.send(RawWebSocket.PING, true, new byte[] {1, 2, 3});
    RawWebSocket.Frame pong = client.readFrame();
    assertEquals(RawWebSocket.PONG, pong.opcode(), pong::toString);
    assertArrayEquals(new byte[] {1, 2, 3}, pong.payload());

    // Exercise
    client.send(RawWebSocket.CLOSE, true, new byte[] {0x03, (byte) 0xE8});

    // Verify
    assertClosedWith(1000, client.readFrame(), client);
    await().until(() -> !isConnected("raw-bye"));
  }

  // ---------------------------------------------------------------------------------------------
  // The connection the engine sees

  @Test
  @DisplayName("the engine sees a ws connection's peer address")
  void engineSeesThePeerAddressOfAWebSocketConnection() throws Exception {
    RawWebSocket client = rawWs(ws, "/mqtt", "mqtt");

    // Exercise
    client.sendPackets(ProtocolVersion.MQTT_3_1_1, connect311("raw-peer"));

    // Verify
    assertInstanceOf(ConnAck.class, client.readPacket().packet());
    TransportInfo info = connectOf("raw-peer").transport();
    assertEquals(TransportKind.WS, info.kind());
    assertEquals(localAddressOf(client.socket()), info.remoteAddress());
    assertTrue(info.peerCertificates().isEmpty());
    assertEquals(TransportKind.WS, summary("raw-peer").transport());
    assertEquals(TransportKind.WS, ws.kind());
  }

  @ParameterizedTest(name = "Paho {0}")
  @EnumSource(Paho.class)
  @DisplayName("wss: Paho round-trips a message; the connection is WSS with a known peer")
  void pahoOverWssRoundTripsAndIsReportedAsWss(Paho paho) throws Exception {
    Path keys = dir.resolve("wss.p12");
    SelfSignedKeyStore.createIfMissing(keys, PASSWORD, "localhost");
    BoundListener wss = listener(ListenerSettings.tls(HOST, 0,
        TlsSettings.fromKeyStore(keys, PASSWORD)).withWebSocket(
            WebSocketSettings.forMaxPacketSize(broker.config().maxPacketSize())));
    SSLContext trusting = trusting(keys);
    String clientId = "wss-" + paho;
    PahoClient client = paho(paho, "wss://" + HOST + ":" + wss.port() + "/mqtt", clientId,
        trusting.getSocketFactory());
    BlockingQueue<Delivery> inbox = new LinkedBlockingQueue<>();
    client.subscribe("wss/" + paho, 1, inbox);
    byte[] payload = randomPayloads(1, 5000)[0];

    // Exercise
    client.publish("wss/" + paho, payload, 1);

    // Verify
    Delivery delivery = take(inbox);
    assertEquals(1, delivery.qos());
    assertArrayEquals(payload, delivery.payload());
    assertEquals(TransportKind.WSS, wss.kind());
    assertEquals(TransportKind.WSS, summary(clientId).transport());
    TransportInfo info = connectOf(clientId).transport();
    assertEquals(TransportKind.WSS, info.kind());
    assertNotNull(info.remoteAddress());
    assertTrue(info.remoteAddress().getAddress().isLoopbackAddress(), info::toString);

    // and a raw wss client's exact address
    SSLSocket tlsSocket = (SSLSocket) trusting.getSocketFactory().createSocket(HOST, wss.port());
    opened.add(tlsSocket);
    tlsSocket.setSoTimeout((int) TIMEOUT_MILLIS);
    tlsSocket.startHandshake();
    RawWebSocket raw = RawWebSocket.upgrade(tlsSocket, "/mqtt", "mqtt");
    assertEquals(101, raw.status());
    assertEquals("mqtt", raw.header("Sec-WebSocket-Protocol"));
    raw.sendPackets(ProtocolVersion.MQTT_3_1_1, connect311("wss-raw-" + paho));
    assertInstanceOf(ConnAck.class, raw.readPacket().packet());
    TransportInfo rawInfo = connectOf("wss-raw-" + paho).transport();
    assertEquals(localAddressOf(tlsSocket), rawInfo.remoteAddress());
    assertEquals(TransportKind.WSS, rawInfo.kind());
  }

  // ---------------------------------------------------------------------------------------------
  // Broker-initiated close

  @Test
  @DisplayName("a session taken over: DISCONNECT 0x8E, then a Close frame 1000, then TCP close")
  void sessionTakeoverSendsDisconnectThenClose1000() throws Exception {
    RawWebSocket first = connected(ws, ProtocolVersion.MQTT_5, "raw-takeover");
    RawWebSocket second = rawWs(ws, "/mqtt", "mqtt");
    second.decodeAs(ProtocolVersion.MQTT_5);

    // Exercise
    second.sendPackets(ProtocolVersion.MQTT_5, connect(ProtocolVersion.MQTT_5, "raw-takeover"));

    // Verify
    assertInstanceOf(ConnAck.class, second.readPacket().packet());
    RawWebSocket.Ending ending = first.readUntilControlFrame();
    assertEquals(1, ending.packets().size(), ending.packets()::toString);
    Disconnect disconnect = assertInstanceOf(Disconnect.class, ending.packets().get(0));
    assertEquals(ReasonCode.SESSION_TAKEN_OVER, disconnect.reasonCode());
    assertEquals(0, first.undecodedBytes());
    assertClosedWith(1000, ending.frame(), first);
    assertTrue(isConnected("raw-takeover"), "the second connection keeps the session");
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(value = ProtocolVersion.class, names = {"MQTT_3_1_1", "MQTT_5"})
  @DisplayName("[MQTT-3.1.0-2] a second CONNECT: (MQTT 5: DISCONNECT 0x82), Close 1000, close")
  void secondConnectIsAProtocolErrorEndingInClose1000(ProtocolVersion version) throws Exception {
    String clientId = "raw-twice-" + version.level();
    RawWebSocket client = connected(ws, version, clientId);

    // Exercise
    client.sendPackets(version, connect(version, clientId));

    // Verify
    RawWebSocket.Ending ending = client.readUntilControlFrame();
    if (version.isV5()) {
      assertEquals(1, ending.packets().size(), ending.packets()::toString);
      Disconnect disconnect = assertInstanceOf(Disconnect.class, ending.packets().get(0));
      assertEquals(ReasonCode.PROTOCOL_ERROR, disconnect.reasonCode());
    } else {
      assertEquals(List.of(), ending.packets(), "MQTT 3.1.1 has no DISCONNECT from the server");
    }
    assertClosedWith(1000, ending.frame(), client);
    await().until(() -> !isConnected(clientId));
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers

  private BoundListener listener(ListenerSettings settings) throws IOException {
    BoundListener listener = server.bind(settings);
    opened.add(listener);
    return listener;
  }

  private Socket socket(BoundListener listener) throws IOException {
    Socket socket = new Socket(HOST, listener.port());
    opened.add(socket);
    socket.setSoTimeout((int) TIMEOUT_MILLIS);
    return socket;
  }

  private RawWebSocket rawWs(BoundListener listener, String path, String... subprotocols)
      throws IOException {
    return RawWebSocket.upgrade(socket(listener), path, subprotocols);
  }

  /** @return a raw ws client that has sent an MQTT 3.1.1 CONNECT and got its CONNACK */
  private RawWebSocket connected(BoundListener listener, String clientId) throws IOException {
    return connected(listener, ProtocolVersion.MQTT_3_1_1, clientId);
  }

  /** @return a raw ws client that has sent a CONNECT of the version and got its CONNACK */
  private RawWebSocket connected(BoundListener listener, ProtocolVersion version,
      String clientId) throws IOException {
    RawWebSocket client = rawWs(listener, "/mqtt", "mqtt");
    client.decodeAs(version);
    client.sendPackets(version, connect(version, clientId));
    assertEquals(ReasonCode.SUCCESS, client.read(ConnAck.class).reasonCode());
    return client;
  }

  /**
   * Asserts that {@code frame} is an unmasked Close frame with the status, and that the server
   * then closed the TCP connection without sending anything more: one Close frame only
   * [RFC 6455 5.5.1].
   */
  private static void assertClosedWith(int status, RawWebSocket.Frame frame, RawWebSocket client)
      throws IOException {
    assertEquals(RawWebSocket.CLOSE, frame.opcode(), frame::toString);
    assertEquals(status, frame.closeStatus(), frame::toString);
    assertFalse(frame.masked(), "[RFC 6455 5.1] a server must not mask its frames");
    assertTrue(client.endOfStream(), "nothing may follow the Close frame");
  }

  private static String tcpUri() {
    return "tcp://" + HOST + ":" + tcp.port();
  }

  private static String wsUri(BoundListener listener) {
    return "ws://" + HOST + ":" + listener.port() + "/mqtt";
  }

  /**
   * Connects a Paho client with a clean session, no automatic reconnect and bounded waits, and
   * closes it after the test.
   *
   * @param tls the socket factory for wss, {@code null} for ws and tcp
   */
  private PahoClient paho(Paho version, String uri, String clientId, SSLSocketFactory tls)
      throws Exception {
    PahoClient client = version == Paho.V3 ? pahoV3(uri, clientId, tls)
        : pahoV5(uri, clientId, tls);
    opened.add(client);
    return client;
  }

  private static PahoClient pahoV3(String uri, String clientId, SSLSocketFactory tls)
      throws org.eclipse.paho.client.mqttv3.MqttException {
    var client = new org.eclipse.paho.client.mqttv3.MqttClient(uri, clientId,
        new org.eclipse.paho.client.mqttv3.persist.MemoryPersistence());
    client.setTimeToWait(TIMEOUT_MILLIS);
    MqttConnectOptions options = new MqttConnectOptions();
    options.setAutomaticReconnect(false);
    options.setCleanSession(true);
    options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
    options.setSocketFactory(tls);
    client.connect(options);
    return new PahoClient() {
      @Override
      public int subscribe(String filter, int qos, BlockingQueue<Delivery> inbox)
          throws org.eclipse.paho.client.mqttv3.MqttException {
        return client.subscribeWithResponse(filter, qos, (topic, message) -> inbox.add(
            new Delivery(topic, message.getQos(), message.getPayload()))).getGrantedQos()[0];
      }

      @Override
      public void publish(String topic, byte[] payload, int qos)
          throws org.eclipse.paho.client.mqttv3.MqttException {
        client.publish(topic, payload, qos, false);
      }

      @Override
      public void close() throws org.eclipse.paho.client.mqttv3.MqttException {
        disconnectThenClose(() -> client.disconnect(0), client::close);
      }
    };
  }

  private static PahoClient pahoV5(String uri, String clientId, SSLSocketFactory tls)
      throws MqttException {
    var client = new org.eclipse.paho.mqttv5.client.MqttClient(uri, clientId,
        new org.eclipse.paho.mqttv5.client.persist.MemoryPersistence());
    client.setTimeToWait(TIMEOUT_MILLIS);
    MqttConnectionOptions options = new MqttConnectionOptions();
    options.setAutomaticReconnect(false);
    options.setCleanStart(true);
    options.setSocketFactory(tls);
    client.connect(options);
    return new PahoClient() {
      @Override
      public int subscribe(String filter, int qos, BlockingQueue<Delivery> inbox)
          throws MqttException {
        IMqttMessageListener listener = (topic, message) -> inbox.add(
            new Delivery(topic, message.getQos(), message.getPayload()));
        return client.subscribe(new MqttSubscription[] {new MqttSubscription(filter, qos)},
            new IMqttMessageListener[] {listener}).getReasonCodes()[0];
      }

      @Override
      public void publish(String topic, byte[] payload, int qos) throws MqttException {
        client.publish(topic, payload, qos, false);
      }

      @Override
      public void close() throws MqttException {
        disconnectThenClose(() -> client.disconnect(0), client::close);
      }
    };
  }

  /** A step of shutting a client down that may throw {@code E}. */
  @FunctionalInterface
  interface Step<E extends Exception> {
    void run() throws E;
  }

  /** Disconnects, and releases the client's resources even when the disconnect fails. */
  private static <E extends Exception> void disconnectThenClose(Step<E> disconnect,
      Step<E> close) throws E {
    try {
      disconnect.run();
    } finally {
      close.run();
    }
  }

  private static Delivery take(BlockingQueue<Delivery> inbox) throws InterruptedException {
    Delivery delivery = inbox.poll(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
    assertNotNull(delivery, "no delivery within " + TIMEOUT_MILLIS + " ms");
    return delivery;
  }

  private static Connect connect311(String clientId) {
    return connect(ProtocolVersion.MQTT_3_1_1, clientId);
  }

  private static Connect connect(ProtocolVersion version, String clientId) {
    return new Connect(version, clientId, true, 60, null, null, null, null);
  }

  private static Subscribe subscribe(int packetId, String filter) {
    return new Subscribe(packetId, List.of(new Subscription(filter, QoS.AT_MOST_ONCE)), null);
  }

  private static Publish publish(String topic, byte[] payload) {
    return new Publish(topic, payload, QoS.AT_MOST_ONCE, false, false, 0, Properties.EMPTY);
  }

  private static byte[][] randomPayloads(int count, int length) {
    Random random = new Random(length);
    byte[][] payloads = new byte[count][length];
    for (byte[] payload : payloads) {
      random.nextBytes(payload);
    }
    return payloads;
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] both = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, both, a.length, b.length);
    return both;
  }

  private static InetSocketAddress localAddressOf(Socket socket) {
    return new InetSocketAddress(socket.getLocalAddress(), socket.getLocalPort());
  }

  private static ClientSummary summary(String clientId) {
    return broker.clients().stream().filter(c -> c.clientId().equals(clientId)).findFirst()
        .orElseThrow(() -> new AssertionError("no session " + clientId));
  }

  private static boolean isConnected(String clientId) {
    return broker.clients().stream().anyMatch(c -> c.clientId().equals(clientId)
        && c.connected());
  }

  /** @return the last CONNECT the engine authenticated for the client */
  private static ConnectRequest connectOf(String clientId) {
    ConnectRequest found = null;
    for (ConnectRequest request : connects) {
      if (request.clientId().equals(clientId)) {
        found = request;
      }
    }
    assertNotNull(found, "the engine saw no CONNECT from " + clientId);
    return found;
  }

  /** @return a TLS context trusting exactly the certificate in the key store */
  private static SSLContext trusting(Path keys) throws Exception {
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(keys)) {
      store.load(in, PASSWORD);
    }
    KeyStore trusted = KeyStore.getInstance("PKCS12");
    trusted.load(null, null);
    trusted.setCertificateEntry("broker", store.getCertificate(SelfSignedKeyStore.ALIAS));
    TrustManagerFactory factory =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    factory.init(trusted);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, factory.getTrustManagers(), null);
    return context;
  }
}
