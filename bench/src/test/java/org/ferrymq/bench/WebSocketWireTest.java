package org.ferrymq.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.ferrymq.codec.DecoderContext;
import org.ferrymq.codec.MqttDecoder;
import org.ferrymq.packet.Connect;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link WebSocketWire} against a hand-written server: handshake request and RFC 6455 frames. */
class WebSocketWireTest {
  private static final int BINARY = 0x82;
  private static final int BINARY_MORE = 0x02;
  private static final int CONTINUATION = 0x00;
  private static final int CONTINUATION_LAST = 0x80;
  private static final int CLOSE = 0x88;
  private static final int PING = 0x89;
  private static final int PONG = 0x8A;

  private WebSocketPeer peer;
  private WebSocketWire sut;

  @BeforeEach
  void connect() throws Exception {
    peer = new WebSocketPeer();
    Future<WebSocketWire> opening = peer.open();
    peer.accept();
    peer.accept101();
    sut = opening.get(10, TimeUnit.SECONDS);
    sut.readTimeout(5_000);
  }

  @AfterEach
  void close() throws IOException {
    sut.close();
    peer.close();
  }

  @Test
  void requestsAnUpgradeToMqttOverWebSocket() {
    String[] lines = peer.request.split("\r\n");

    assertEquals("GET /mqtt HTTP/1.1", lines[0]);
    assertEquals("127.0.0.1:" + peer.port(), peer.requestHeader("Host"));
    assertEquals("websocket", peer.requestHeader("Upgrade"));
    assertEquals("Upgrade", peer.requestHeader("Connection"));
    assertEquals("13", peer.requestHeader("Sec-WebSocket-Version"));
    assertEquals("mqtt", peer.requestHeader("Sec-WebSocket-Protocol"));
    assertEquals(16, Base64.getDecoder().decode(peer.requestHeader("Sec-WebSocket-Key")).length);
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 7, 8, 9, 125, 126, 65_535, 65_536, 70_001})
  void writesOneMaskedFinalBinaryFramePerWrite(int len) throws IOException {
    byte[] source = new byte[len + 5];
    for (int i = 0; i < source.length; i++) {
      source[i] = (byte) (i * 31 + 7);
    }

    sut.write(source, 3, len);
    WebSocketPeer.Frame f = peer.readFrame();

    assertEquals(BINARY, f.firstByte(), "FIN + binary");
    assertTrue(f.masked(), "client frames must be masked");
    assertEquals(len < 126 ? len : len <= 0xFFFF ? 126 : 127, f.length7(), "length form");
    assertArrayEquals(Arrays.copyOfRange(source, 3, 3 + len), f.payload());
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 3, 8, 13, 64})
  void masksWithTheKeyBytesInOrder(int len) {
    int key = 0x80FF_0102; // negative, so a sign-extended key would show
    byte[] from = new byte[len + 2];
    Arrays.fill(from, (byte) 0x5A);
    byte[] to = new byte[len + 1];

    WebSocketFrameWriter.mask(from, 2, len, key, to, 1);

    byte[] keyBytes = {(byte) 0x80, (byte) 0xFF, 0x01, 0x02};
    for (int i = 0; i < len; i++) {
      assertEquals((byte) (0x5A ^ keyBytes[i % 4]), to[1 + i], "byte " + i);
    }
  }

  @Test
  void masksEveryFrameWithAFreshKey() throws IOException {
    Set<String> masks = new HashSet<>();
    byte[] packet = {(byte) 0xC0, 0};
    for (int i = 0; i < 8; i++) {
      sut.write(packet, 0, 2);
      WebSocketPeer.Frame f = peer.readFrame();
      assertArrayEquals(packet, f.payload());
      masks.add(Arrays.toString(f.mask()));
    }

    assertEquals(8, masks.size(), "eight frames, eight keys: " + masks);
  }

  @Test
  void joinsFragmentsAndAnswersPingInBetween() throws Exception {
    peer.send(WebSocketPeer.frame(BINARY_MORE, "ab"), WebSocketPeer.frame(PING, "hi"),
        WebSocketPeer.frame(CONTINUATION, "cd"), WebSocketPeer.frame(PONG, "ignored"),
        WebSocketPeer.frame(CONTINUATION_LAST, "ef"), WebSocketPeer.frame(BINARY, "gh"));

    assertEquals("abcdefgh", new String(readExactly(8), StandardCharsets.ISO_8859_1));
    WebSocketPeer.Frame pong = peer.readFrame();
    assertEquals(PONG, pong.firstByte());
    assertTrue(pong.masked());
    assertEquals("hi", new String(pong.payload(), StandardCharsets.ISO_8859_1));
  }

  @Test
  void oneReadTakesEveryBufferedFrame() throws Exception {
    peer.send(WebSocketPeer.frame(BINARY, "abc"), WebSocketPeer.frame(BINARY, "def"));
    Thread.sleep(200); // both frames in the client's socket

    byte[] into = new byte[100];
    assertEquals(6, sut.read(into, 10, 90));
    assertEquals("abcdef", new String(into, 10, 6, StandardCharsets.ISO_8859_1));
  }

  @Test
  void readStopsAtTheCallersLengthAndContinuesInTheFrame() throws Exception {
    peer.send(WebSocketPeer.frame(BINARY, "abcdef"));

    byte[] into = new byte[4];
    assertEquals(4, sut.read(into, 0, 4));
    assertEquals("abcd", new String(into, StandardCharsets.ISO_8859_1));
    assertEquals(2, sut.read(into, 1, 3));
    assertEquals("ef", new String(into, 1, 2, StandardCharsets.ISO_8859_1));
  }

  @ParameterizedTest
  @ValueSource(ints = {126, 300, 65_535, 65_536, 200_000})
  void readsSixteenAndSixtyFourBitLengths(int len) throws Exception {
    byte[] payload = new byte[len];
    for (int i = 0; i < len; i++) {
      payload[i] = (byte) (i * 13);
    }
    Future<?> sending = peer.onClient(() -> {
      peer.send(WebSocketPeer.frame(BINARY, payload), WebSocketPeer.frame(BINARY, "z"));
      return null;
    });

    byte[] got = readExactly(len + 1);

    sending.get(5, TimeUnit.SECONDS);
    assertArrayEquals(payload, Arrays.copyOf(got, len));
    assertEquals('z', got[len]);
  }

  @Test
  void answersCloseThenReadsAsEndOfStream() throws Exception {
    byte[] closePayload = {0x03, (byte) 0xE8, 'b', 'y', 'e'};
    peer.send(WebSocketPeer.frame(BINARY, "xy"), WebSocketPeer.frame(CLOSE, closePayload),
        WebSocketPeer.frame(BINARY, "after close"));

    assertEquals("xy", new String(readExactly(2), StandardCharsets.ISO_8859_1));
    assertEquals(-1, sut.read(new byte[10], 0, 10));
    assertEquals(-1, sut.read(new byte[10], 0, 10));
    WebSocketPeer.Frame answer = peer.readFrame();
    assertEquals(CLOSE, answer.firstByte());
    assertTrue(answer.masked());
    assertArrayEquals(new byte[] {0x03, (byte) 0xE8}, answer.payload(), "status 1000 echoed");
    IOException e = assertThrows(IOException.class, () -> sut.write(new byte[] {1}, 0, 1));
    assertTrue(e.getMessage().contains("Close"), e.getMessage());
  }

  @Test
  void closeSendsNormalClosure() throws Exception {
    sut.close();

    WebSocketPeer.Frame f = peer.readFrame();
    assertEquals(CLOSE, f.firstByte());
    assertTrue(f.masked());
    assertArrayEquals(new byte[] {0x03, (byte) 0xE8}, f.payload());
  }

  @Test
  void endOfStreamAtAFrameBoundaryReadsAsMinusOne() throws Exception {
    peer.send(WebSocketPeer.frame(BINARY, "q"));
    peer.hangUp();

    assertEquals("q", new String(readExactly(1), StandardCharsets.ISO_8859_1));
    assertEquals(-1, sut.read(new byte[10], 0, 10));
  }

  @Test
  void endOfStreamInsideAFrameFails() throws Exception {
    byte[] frame = WebSocketPeer.frame(BINARY, "abcdef");
    peer.send(Arrays.copyOf(frame, 5));
    peer.hangUp();

    byte[] into = new byte[10];
    assertEquals(3, sut.read(into, 0, 10));
    assertThrows(EOFException.class, () -> sut.read(into, 0, 10));
  }

  @Test
  void rejectsAMaskedServerFrame() throws Exception {
    assertReadFails("masked", new byte[] {(byte) BINARY, (byte) 0x82, 1, 2, 3, 4, 5, 6});
  }

  @Test
  void rejectsATextFrame() throws Exception {
    assertReadFails("text frame", WebSocketPeer.frame(0x81, "{}"));
  }

  @Test
  void rejectsAContinuationWithoutAMessage() throws Exception {
    assertReadFails("continuation", WebSocketPeer.frame(CONTINUATION_LAST, "x"));
  }

  @Test
  void rejectsAFragmentedPing() throws Exception {
    assertReadFails("fragmented", WebSocketPeer.frame(0x09, "x"));
  }

  @Test
  void rejectsReservedBits() throws Exception {
    assertReadFails("reserved bits", WebSocketPeer.frame(0xC2, "x"));
  }

  @Test
  void benchClientConnectsThroughTheEndpoint() throws Exception {
    WebSocketPeer broker = new WebSocketPeer();
    try (broker) {
      Endpoint endpoint = new Endpoint("127.0.0.1", broker.port(), "ws", "/mqtt");
      Future<BenchClient> connecting =
          broker.onClient(() -> BenchClient.connect(endpoint, "ws-1", true, null, 64));
      broker.accept();
      broker.accept101();

      WebSocketPeer.Frame connect = broker.readFrame();
      broker.send(WebSocketPeer.frame(BINARY, new byte[] {0x20, 2, 0, 0})); // CONNACK accepted

      assertEquals(BINARY, connect.firstByte());
      Connect c = (Connect) MqttDecoder.decode(ByteBuffer.wrap(connect.payload()),
          DecoderContext.beforeConnect(DecoderContext.MAX_PACKET_SIZE));
      assertEquals("ws-1", c.clientId());
      connecting.get(10, TimeUnit.SECONDS).close();
      assertArrayEquals(new byte[] {(byte) 0xE0, 0}, broker.readFrame().payload(), "DISCONNECT");
      assertEquals(CLOSE, broker.readFrame().firstByte());
    }
  }

  private void assertReadFails(String expected, byte[] fromServer) throws IOException {
    peer.send(fromServer);

    IOException e = assertThrows(IOException.class, () -> sut.read(new byte[10], 0, 10));
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }

  private byte[] readExactly(int n) throws IOException {
    byte[] into = new byte[n];
    int got = 0;
    while (got < n) {
      int r = sut.read(into, got, n - got);
      assertTrue(r > 0, "read returned " + r + " after " + got + " of " + n + " bytes");
      got += r;
    }
    return into;
  }
}
