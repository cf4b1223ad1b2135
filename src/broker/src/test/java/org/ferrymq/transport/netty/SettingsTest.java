package org.ferrymq.transport.netty;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;
import org.ferrymq.transport.netty.TlsSettings.ClientAuth;
import org.junit.jupiter.api.Test;

/** Validation of {@link ListenerSettings} and {@link TlsSettings}. */
class SettingsTest {

  private static final Path STORE = Path.of("server.p12");

  @Test
  void listenerDefaultsAndEndpoint() {
    ListenerSettings sut = ListenerSettings.tcp("0.0.0.0", 1883);

    assertNull(sut.host());
    assertEquals("*:1883", sut.endpoint());
    assertEquals(256 * 1024, sut.highWaterMark());
    assertEquals("[::1]:8883",
        ListenerSettings.tls("::1", 8883, TlsSettings.fromKeyStore(STORE, null)).endpoint());
  }

  @Test
  void listenerRejectsBadPortsAndWaterMarks() {
    assertThrows(IllegalArgumentException.class, () -> ListenerSettings.tcp("localhost", 65536));
    assertThrows(IllegalArgumentException.class, () -> ListenerSettings.tcp("localhost", -1));
    assertThrows(IllegalArgumentException.class,
        () -> ListenerSettings.tcp("localhost", 0).withWaterMarks(2048, 1024));
    assertThrows(IllegalArgumentException.class,
        () -> ListenerSettings.tcp("localhost", 0).withWaterMarks(0, 1024));
    assertThrows(IllegalArgumentException.class, () -> ListenerSettings.tls("localhost", 0, null));
  }

  @Test
  void tlsDefaultsInferTypeAndAllowOnlyModernProtocols() {
    TlsSettings sut = TlsSettings.fromKeyStore(Path.of("keys.JKS"), "secret".toCharArray());

    assertEquals("JKS", sut.keyStoreType());
    assertEquals(List.of("TLSv1.3", "TLSv1.2"), sut.protocols());
    assertEquals(ClientAuth.NONE, sut.clientAuth());
    assertEquals("PKCS12", TlsSettings.fromKeyStore(STORE, null).keyStoreType());
    assertThrows(IllegalArgumentException.class,
        () -> TlsSettings.fromKeyStore(STORE, null).withProtocols(List.of("TLSv1.1")));
    assertThrows(IllegalArgumentException.class, () -> new TlsSettings(STORE, null, "PKCS11",
        null, null, null, ClientAuth.NONE, null));
  }

  @Test
  void clientAuthNeedsATrustStore() {
    assertThrows(IllegalArgumentException.class, () -> new TlsSettings(STORE, null, null, null,
        null, null, ClientAuth.NEED, null));
  }

  @Test
  void passwordsAreCopiedAndNeverPrinted() {
    char[] password = "s3cr3t-pw".toCharArray();
    TlsSettings sut = TlsSettings.fromKeyStore(STORE, password);

    password[0] = 'X';
    sut.keyStorePassword()[1] = 'Y';

    assertArrayEquals("s3cr3t-pw".toCharArray(), sut.keyStorePassword());
    assertFalse(sut.toString().contains("s3cr3t"));
    assertEquals(sut, TlsSettings.fromKeyStore(STORE, "s3cr3t-pw".toCharArray()));
  }
}
