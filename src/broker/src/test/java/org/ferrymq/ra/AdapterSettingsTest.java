package org.ferrymq.ra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.ferrymq.config.ConfigException;
import org.ferrymq.ra.AdapterSettings.Property;
import org.ferrymq.transport.netty.TlsSettings;
import org.junit.jupiter.api.Test;

class AdapterSettingsTest {

  @Test
  void defaultsAreThoseOfTheConfigProperties() {
    AdapterSettings sut = AdapterSettings.builder().build();

    assertEquals(new AdapterSettings("localhost", 1883, 8883, 8083, 8084, "defaultSSLConfig", 0,
        TlsSettings.ClientAuth.NONE), sut);
  }

  @Test
  void rawStringsAreTrimmedAndParsed() {
    AdapterSettings sut = AdapterSettings.builder().set(Property.HOST, " 127.0.0.1 ")
        .set(Property.MQTT_PORT, " 11883").set(Property.MQTTS_PORT, "18883")
        .set(Property.WS_PORT, "0").set(Property.WSS_PORT, "0")
        .set(Property.SSL_REF, "mqttSSL").set(Property.IO_THREADS, "4")
        .set(Property.CLIENT_AUTH, " NEED ").build();

    assertEquals(new AdapterSettings("127.0.0.1", 11883, 18883, 0, 0, "mqttSSL", 4,
        TlsSettings.ClientAuth.NEED), sut);
  }

  @Test
  void aMalformedPortNamesItsKeyAndProperty() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> AdapterSettings.builder().set(Property.MQTTS_PORT, "88x3").build());

    assertEquals("mqtts.port", e.key());
    assertEquals("Invalid configuration 'mqtts.port': '88x3' is not a whole number "
        + "(resource adapter property mqttsPort)", e.getMessage());
  }

  @Test
  void zeroSwitchesOffOnlyTheWebSocketListeners() {
    ConfigException tcp = assertThrows(ConfigException.class,
        () -> AdapterSettings.builder().set(Property.MQTT_PORT, "0").build());
    ConfigException wss = assertThrows(ConfigException.class,
        () -> AdapterSettings.builder().set(Property.WSS_PORT, "65536").build());

    assertEquals("Invalid configuration 'mqtt.port': 0 is not a port number (1..65535) "
        + "(resource adapter property mqttPort)", tcp.getMessage());
    assertEquals("Invalid configuration 'mqtt.wss.port': 65536 is not a port number "
        + "(1..65535, or 0 for none) (resource adapter property wssPort)", wss.getMessage());
    assertEquals(0, AdapterSettings.builder().set(Property.WS_PORT, "0").build().wsPort());
  }

  @Test
  void ioThreadsOutsideTheirRangeAreRefused() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> AdapterSettings.builder().set(Property.IO_THREADS, "1025").build());

    assertEquals("ferrymq.io-threads", e.key());
    assertEquals(1024,
        AdapterSettings.builder().set(Property.IO_THREADS, "1024").build().ioThreads());
  }

  @Test
  void anUnknownClientAuthModeListsTheAllowedOnes() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> AdapterSettings.builder().set(Property.CLIENT_AUTH, "required").build());

    assertEquals("Invalid configuration 'mqtt.tls.client-auth': 'required' is not one of none, "
        + "want, need (resource adapter property clientAuth)", e.getMessage());
    assertEquals(TlsSettings.ClientAuth.NONE,
        AdapterSettings.builder().set(Property.CLIENT_AUTH, "").build().clientAuth());
  }

  @Test
  void anEmptyHostOrSslReferenceIsRefused() {
    assertEquals("mqtt.host", assertThrows(ConfigException.class,
        () -> AdapterSettings.builder().set(Property.HOST, " ").build()).key());
    assertEquals("sslRef", assertThrows(ConfigException.class,
        () -> AdapterSettings.builder().set(Property.SSL_REF, null).build()).key());
  }

  @Test
  void theRecordItselfOnlyHoldsValidValues() {
    assertThrows(ConfigException.class, () -> new AdapterSettings("*", 1883, 8883, -1, 8084,
        "defaultSSLConfig", 0, TlsSettings.ClientAuth.NONE));
  }
}
