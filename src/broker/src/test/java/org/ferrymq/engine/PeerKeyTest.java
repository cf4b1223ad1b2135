package org.ferrymq.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.ferrymq.packet.ProtocolVersion;
import org.ferrymq.packet.QoS;
import org.ferrymq.packet.ReasonCode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A cluster peer's index key can never be a client's: it starts with U+0000, which the codec
 * refuses in every MQTT string [MQTT-1.5.4-2]. Client ids that look like one, with any other
 * control character, are ordinary sessions and get their messages on a single node.
 */
class PeerKeyTest {
  private final MqttBroker broker = TestBrokers.started();

  @AfterEach
  void stop() {
    broker.stop();
  }

  @Test
  void aPeerKeyIsMarkedByTheCharacterNoClientIdHas() {
    String sut = PeerKey.of("node-1");

    assertEquals('\u0000', sut.charAt(0));
    assertTrue(PeerKey.is(sut));
    assertEquals("node-1", PeerKey.nodeOf(sut));
    assertFalse(PeerKey.is("peer:node-1"));
    assertFalse(PeerKey.is("\u0000in-process-1"), "in-process keys are not peer keys");
  }

  @ParameterizedTest
  @ValueSource(strings = {"\u0001peer:node-1", "peer:node-1", "\u0001"})
  void aClientIdThatLooksLikeAPeerKeyIsAnOrdinarySession(String clientId) {
    TestClient subscriber = TestClient.connect(broker, ProtocolVersion.MQTT_5, clientId, true);
    subscriber.subscribe("t", QoS.AT_LEAST_ONCE);
    TestClient publisher = TestClient.connect(broker, ProtocolVersion.MQTT_5, "pub", true);

    assertEquals(ReasonCode.SUCCESS, publisher.publishAcked("t", "x").reasonCode());

    subscriber.expectPublish("t", "x");
  }
}
