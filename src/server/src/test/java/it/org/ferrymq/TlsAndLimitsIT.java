package it.org.ferrymq;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** TLS hardening on both TLS ports and the CONNECT timeout, over raw sockets. */
class TlsAndLimitsIT extends ServerIT {

  /**
   * The JDK client refuses TLS 1.1 itself, so a hand-written TLS 1.1 ClientHello goes over a
   * plain socket; the server must answer with a fatal alert (or close), never a ServerHello.
   */
  @ParameterizedTest(name = "port {0}")
  @ValueSource(strings = {"mqtts", "https"})
  void tls11HandshakeIsRefused(String which) throws Exception {
    int port = which.equals("mqtts") ? MQTTS_PORT : HTTPS_PORT;
    try (Socket socket = new Socket("localhost", port)) {
      socket.setSoTimeout(10_000);

      // Exercise
      socket.getOutputStream().write(tls11ClientHello());
      int first = socket.getInputStream().read();

      // Verify: 0x15 is an alert record, -1 a close; 0x16 would be a handshake (ServerHello)
      assertTrue(first == 0x15 || first == -1, "the server answered a TLS 1.1 hello with "
          + first);
    }
  }

  @Test
  void socketThatNeverSendsConnectIsClosedAfterTheTimeout() throws Exception {
    try (Socket socket = new Socket("localhost", MQTT_PORT)) {
      socket.setSoTimeout(20_000);
      long start = System.nanoTime();

      // Exercise: send nothing
      int read = readOrTimeout(socket.getInputStream());

      // Verify: closed by the server after mqtt.connect-timeout (10 s)
      long seconds = (System.nanoTime() - start) / 1_000_000_000L;
      assertEquals(-1, read, "the server did not close the silent connection");
      assertTrue(seconds >= 9 && seconds <= 15, "closed after " + seconds + " s");
    }
  }

  private static int readOrTimeout(InputStream in) throws IOException {
    try {
      return in.read();
    } catch (SocketTimeoutException e) {
      return -2;
    }
  }

  /** A minimal TLS 1.1 ClientHello offering two CBC suites and no extensions. */
  private static byte[] tls11ClientHello() {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.writeBytes(new byte[] {0x03, 0x02});            // client_version TLS 1.1
    body.writeBytes(new byte[32]);                         // random
    body.write(0);                                         // no session id
    body.writeBytes(new byte[] {0x00, 0x04,                // two cipher suites
        (byte) 0xC0, 0x13, 0x00, 0x2F});                   // ECDHE_RSA_AES128_CBC_SHA, RSA_AES128_CBC_SHA
    body.writeBytes(new byte[] {0x01, 0x00});              // compression: null
    byte[] hello = body.toByteArray();
    ByteArrayOutputStream record = new ByteArrayOutputStream();
    record.writeBytes(new byte[] {0x16, 0x03, 0x02});      // handshake record, TLS 1.1
    int handshakeLength = hello.length + 4;
    record.writeBytes(new byte[] {(byte) (handshakeLength >> 8), (byte) handshakeLength});
    record.write(0x01);                                    // ClientHello
    record.writeBytes(new byte[] {0, (byte) (hello.length >> 8), (byte) hello.length});
    record.writeBytes(hello);
    return record.toByteArray();
  }
}
