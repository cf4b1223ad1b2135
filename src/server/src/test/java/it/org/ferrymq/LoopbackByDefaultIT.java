package it.org.ferrymq;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.InetAddress;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The dev profile (anonymous clients, plain transports) listens on loopback only unless
 * MQTT_HOST / HTTP_HOST say otherwise (liberty/server.xml): from this machine's own non-loopback
 * address, every port of the integration-test server refuses the connection.
 */
class LoopbackByDefaultIT extends ServerIT {

  @Test
  void everyPortOfTheDevProfileRefusesAnotherInterfaceAndAcceptsLoopback() throws Exception {
    Optional<InetAddress> external = ListeningInterfaces.externalAddress();
    assumeTrue(external.isPresent(), "this machine has a non-loopback IPv4 address");
    InetAddress loopback = InetAddress.getByName("127.0.0.1");

    for (int port : new int[] {MQTT_PORT, MQTTS_PORT, WS_PORT, WSS_PORT, HTTP_PORT,
        HTTPS_PORT}) {
      assertTrue(ListeningInterfaces.accepts(loopback, port), "port " + port + " on loopback");
      assertFalse(ListeningInterfaces.accepts(external.get(), port),
          "port " + port + " on " + external.get().getHostAddress());
    }
  }
}
