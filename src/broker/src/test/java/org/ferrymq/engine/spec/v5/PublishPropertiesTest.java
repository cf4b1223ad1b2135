package org.ferrymq.engine.spec.v5;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.ferrymq.engine.MqttBroker;
import org.ferrymq.engine.TestBrokers;
import org.ferrymq.engine.TestClient;
import org.ferrymq.packet.ConnAck;
import org.ferrymq.packet.Connect;
import org.ferrymq.packet.Properties;
import org.ferrymq.packet.Property;
import org.ferrymq.packet.ProtocolVersion;
import org.ferrymq.packet.Publish;
import org.ferrymq.packet.QoS;
import org.ferrymq.packet.ReasonCode;
import org.ferrymq.packet.SubAck;
import org.ferrymq.packet.UserProperty;
import org.ferrymq.security.Authorizer;
import org.ferrymq.security.ClientIdentity;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * MQTT 5 PUBLISH properties passed through (3.3.2.3), the payload format check, request/response
 * information (3.1.2.11.6) and problem information (3.1.2.11.7).
 */
class PublishPropertiesTest {
  private MqttBroker sut = TestBrokers.started();

  @AfterEach
  void stop() {
    sut.stop();
  }

  @Test
  @DisplayName("[MQTT-3.3.2-15] Response Topic, [MQTT-3.3.2-16] Correlation Data, [MQTT-3.3.2-20]"
      + " Content Type, [MQTT-3.3.2-4] Payload Format Indicator and [MQTT-3.3.2-17] User"
      + " Properties, in order [MQTT-3.3.2-18], reach subscribers unaltered")
  void requestResponsePropertiesArePassedThrough() {
    TestClient sub = TestClient.connect(sut, ProtocolVersion.MQTT_5, "sub", true);
    sub.subscribe("req", QoS.AT_LEAST_ONCE);
    TestClient pub = TestClient.connect(sut, ProtocolVersion.MQTT_5, "pub", true);
    byte[] correlation = {0, 1, 2, (byte) 0xFF};
    Properties sent = Properties.builder()
        .put(Property.RESPONSE_TOPIC, "resp/pub")
        .put(Property.CORRELATION_DATA, correlation)
        .put(Property.CONTENT_TYPE, "application/json")
        .put(Property.PAYLOAD_FORMAT_INDICATOR, 1)
        .userProperty("z", "last-name-first")
        .userProperty("a", "1")
        .userProperty("a", "2")
        .build();

    // Exercise
    pub.publish("req", "{}", QoS.AT_LEAST_ONCE, false, sent);

    // Verify
    Properties got = sub.expectPublish("req", "{}").properties();
    assertEquals("resp/pub", got.getString(Property.RESPONSE_TOPIC));
    assertArrayEquals(correlation, got.getBytes(Property.CORRELATION_DATA));
    assertEquals("application/json", got.getString(Property.CONTENT_TYPE));
    assertEquals(1, got.getInt(Property.PAYLOAD_FORMAT_INDICATOR));
    assertEquals(List.of(new UserProperty("z", "last-name-first"), new UserProperty("a", "1"),
        new UserProperty("a", "2")), got.userProperties(), "[MQTT-3.3.2-18]");
  }

  @Test
  @DisplayName("3.3.2.3.2: Payload Format Indicator 1 with a payload that is not UTF-8:"
      + " DISCONNECT 0x99")
  void invalidUtf8PayloadWithFormatIndicator() {
    TestClient pub = TestClient.connect(sut, ProtocolVersion.MQTT_5, "pub", true);

    pub.sendBytes(
        0x30, 9,                   // PUBLISH QoS 0, remaining length
        0x00, 0x01, 't',           // topic name
        0x02,                      // properties length
        0x01, 0x01,                // Payload Format Indicator: UTF-8
        0xC3, 0x28, 0xFF);         // payload: not UTF-8

    pub.expectDisconnect(ReasonCode.PAYLOAD_FORMAT_INVALID, "3.3.2.3.2");
  }

  @Test
  @DisplayName("3.1.2.11.6: Request Response Information 1 gets Response Information in"
      + " CONNACK; [MQTT-3.1.2-28] 0 gets none")
  void requestResponseInformation() {
    TestClient asks = new TestClient(sut, ProtocolVersion.MQTT_5);
    TestClient silent = new TestClient(sut, ProtocolVersion.MQTT_5);

    // Exercise
    ConnAck yes = asks.connectWith(new Connect(ProtocolVersion.MQTT_5, "asks", true, 60, null,
        null, null, Properties.builder().put(Property.REQUEST_RESPONSE_INFORMATION, 1).build()));
    ConnAck no = silent.connectWith(new Connect(ProtocolVersion.MQTT_5, "silent", true, 60, null,
        null, null, Properties.builder().put(Property.REQUEST_RESPONSE_INFORMATION, 0).build()));

    // Verify
    String info = yes.properties().getString(Property.RESPONSE_INFORMATION);
    assertNotNull(info);
    assertEquals(ReasonCode.GRANTED_QOS_1, asks.subscribe(info + "#", QoS.AT_LEAST_ONCE)
        .reasonCodes().get(0), "the response information is a usable topic prefix");
    assertNull(no.properties().getString(Property.RESPONSE_INFORMATION), "[MQTT-3.1.2-28]");
  }

  @Test
  @DisplayName("[MQTT-3.1.2-29] Request Problem Information 0: no Reason String or User Property"
      + " on SUBACK")
  void requestProblemInformationZero() {
    sut.stop();
    sut = TestBrokers.started(b -> b.authorizer(new Authorizer() {
      @Override
      public boolean canPublish(ClientIdentity client, String topic) {
        return false;
      }

      @Override
      public boolean canSubscribe(ClientIdentity client, String filter) {
        return false;
      }
    }));
    TestClient c = TestClient.connect(sut, ProtocolVersion.MQTT_5, "c", true, null,
        Properties.builder().put(Property.REQUEST_PROBLEM_INFORMATION, 0).build());

    // Exercise
    SubAck ack = c.subscribe("t", QoS.AT_LEAST_ONCE);
    c.publish("t", "x", QoS.AT_LEAST_ONCE, false);

    // Verify
    assertEquals(List.of(ReasonCode.NOT_AUTHORIZED), ack.reasonCodes());
    assertNull(ack.properties().getString(Property.REASON_STRING));
    assertEquals(List.of(), ack.properties().userProperties());
    Properties pubAck = c.expect(org.ferrymq.packet.PubAck.class).properties();
    assertNull(pubAck.getString(Property.REASON_STRING));
  }
}
