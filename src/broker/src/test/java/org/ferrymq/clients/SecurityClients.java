package org.ferrymq.clients;

import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.MqttSubscription;

/**
 * Paho v5 and v3 clients for the security tests: credentials, a Will, an optional socket the
 * test can cut, and the reason codes of CONNACK, SUBACK and PUBACK as numbers. Every client is
 * closed after the test by {@link OpenClients}.
 */
final class SecurityClients {

  private final OpenClients open;
  private final RunningBroker broker;

  SecurityClients(OpenClients open, RunningBroker broker) {
    this.open = open;
    this.broker = broker;
  }

  /**
   * Connects an MQTT 5 client.
   *
   * @param user the user name, or null
   * @param options further options (a Will, a socket factory...)
   * @param inbox collects {@code topic=payload} of arriving messages
   * @return the connected client
   * @throws MqttException with the CONNACK reason code when refused
   */
  MqttAsyncClient v5(String clientId, String user, Consumer<MqttConnectionOptions> options,
      Inbox<String> inbox) throws MqttException {
    MqttAsyncClient client = new MqttAsyncClient(broker.uri(), clientId, new MemoryPersistence());
    open.add(() -> {
      if (client.isConnected()) {
        client.disconnect(1000).waitForCompletion(1000);
      }
      client.close(true);
    });
    client.setCallback(new Collecting(inbox));
    MqttConnectionOptions o = new MqttConnectionOptions();
    o.setCleanStart(true);
    o.setAutomaticReconnect(false);
    if (user != null) {
      o.setUserName(user);
      o.setPassword("pw".getBytes(StandardCharsets.UTF_8));
    }
    options.accept(o);
    client.connect(o).waitForCompletion(Inbox.TIMEOUT.toMillis());
    return client;
  }

  /** @return the CONNACK reason code of an MQTT 5 attempt: 0 when accepted */
  int v5Connack(String clientId, String user, Consumer<MqttConnectionOptions> options) {
    try {
      v5(clientId, user, options, new Inbox<>());
      return 0;
    } catch (MqttException e) {
      return e.getReasonCode();
    }
  }

  /**
   * Connects an MQTT 3.1.1 client.
   *
   * @return the connected client
   * @throws org.eclipse.paho.client.mqttv3.MqttException with the return code when refused
   */
  org.eclipse.paho.client.mqttv3.MqttClient v3(String clientId, String user,
      Consumer<org.eclipse.paho.client.mqttv3.MqttConnectOptions> options)
      throws org.eclipse.paho.client.mqttv3.MqttException {
    var client = new org.eclipse.paho.client.mqttv3.MqttClient(broker.uri(), clientId,
        new org.eclipse.paho.client.mqttv3.persist.MemoryPersistence());
    open.add(() -> {
      if (client.isConnected()) {
        client.disconnect(1000);
      }
      client.close(true);
    });
    var o = new org.eclipse.paho.client.mqttv3.MqttConnectOptions();
    o.setCleanSession(true);
    o.setMqttVersion(org.eclipse.paho.client.mqttv3.MqttConnectOptions.MQTT_VERSION_3_1_1);
    if (user != null) {
      o.setUserName(user);
      o.setPassword("pw".toCharArray());
    }
    options.accept(o);
    client.connect(o);
    return client;
  }

  /** @return the CONNACK return code of an MQTT 3.1.1 attempt: 0 when accepted */
  int v3Connack(String clientId, String user,
      Consumer<org.eclipse.paho.client.mqttv3.MqttConnectOptions> options) {
    try {
      v3(clientId, user, options);
      return 0;
    } catch (org.eclipse.paho.client.mqttv3.MqttException e) {
      return e.getReasonCode();
    }
  }

  /** @return the SUBACK reason code of one QoS 1 filter */
  static int subscribe(MqttAsyncClient client, String filter) throws MqttException {
    IMqttToken token = client.subscribe(new MqttSubscription(filter, 1));
    try {
      token.waitForCompletion(Inbox.TIMEOUT.toMillis());
    } catch (MqttException e) {
      return e.getReasonCode();
    }
    return token.getReasonCodes()[0];
  }

  /** @return the SUBACK return code of one QoS 1 filter (0x80 Failure when refused) */
  static int subscribe(org.eclipse.paho.client.mqttv3.MqttClient client, String filter)
      throws org.eclipse.paho.client.mqttv3.MqttException {
    try {
      return client.subscribeWithResponse(filter, 1).getGrantedQos()[0];
    } catch (org.eclipse.paho.client.mqttv3.MqttException e) {
      if (e.getReasonCode()
          == org.eclipse.paho.client.mqttv3.MqttException.REASON_CODE_SUBSCRIBE_FAILED) {
        return 0x80;
      }
      throw e;
    }
  }

  /** @return the PUBACK reason code of a QoS 1 PUBLISH */
  static int publish(MqttAsyncClient client, String topic, String payload) throws MqttException {
    IMqttToken token = client.publish(topic, new MqttMessage(
        payload.getBytes(StandardCharsets.UTF_8), 1, false, new MqttProperties()));
    try {
      token.waitForCompletion(Inbox.TIMEOUT.toMillis());
    } catch (MqttException e) {
      return e.getReasonCode();
    }
    int[] codes = token.getReasonCodes();
    return codes == null || codes.length == 0 ? 0 : codes[0];
  }

  /** A Will message for Paho v5. */
  static MqttMessage will(String payload, int qos, boolean retain) {
    return new MqttMessage(payload.getBytes(StandardCharsets.UTF_8), qos, retain,
        new MqttProperties());
  }

  /** Collects {@code topic=payload} of arriving messages. */
  private record Collecting(Inbox<String> inbox) implements MqttCallback {
    @Override
    public void disconnected(MqttDisconnectResponse response) {
    }

    @Override
    public void mqttErrorOccurred(MqttException exception) {
    }

    @Override
    public void messageArrived(String topic, MqttMessage message) {
      inbox.add(topic + "=" + new String(message.getPayload(), StandardCharsets.UTF_8));
    }

    @Override
    public void deliveryComplete(IMqttToken token) {
    }

    @Override
    public void connectComplete(boolean reconnect, String serverURI) {
    }

    @Override
    public void authPacketArrived(int reasonCode, MqttProperties properties) {
    }
  }
}
