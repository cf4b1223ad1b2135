package it.org.ferrymq;

import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import javax.net.ssl.SSLContext;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/** Paho MQTT 3.1.1 clients over every transport the server offers. */
final class Clients {

  private Clients() {
  }

  static MqttClient connect(String uri, SSLContext tls) throws MqttException {
    MqttClient client = new MqttClient(uri, "it-" + UUID.randomUUID(), new MemoryPersistence());
    MqttConnectOptions options = new MqttConnectOptions();
    options.setCleanSession(true);
    options.setConnectionTimeout(10);
    options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
    if (tls != null) {
      options.setSocketFactory(tls.getSocketFactory());
    }
    client.connect(options);
    return client;
  }

  /** Subscribes and collects what arrives. */
  static BlockingQueue<MqttMessage> subscribe(MqttClient client, String filter, int qos)
      throws MqttException {
    BlockingQueue<MqttMessage> received = new LinkedBlockingQueue<>();
    client.subscribe(filter, qos, (topic, message) -> received.add(message));
    return received;
  }

  /** @return a callback that collects each arriving payload as text and ignores the rest */
  static MqttCallback collecting(BlockingQueue<String> into) {
    return new MqttCallback() {
      @Override
      public void connectionLost(Throwable cause) {
      }

      @Override
      public void messageArrived(String topic, MqttMessage message) {
        into.add(new String(message.getPayload(), StandardCharsets.UTF_8));
      }

      @Override
      public void deliveryComplete(IMqttDeliveryToken token) {
      }
    };
  }

  static void close(MqttClient client) throws MqttException {
    if (client.isConnected()) {
      client.disconnect(5_000);
    }
    client.close();
  }

  /**
   * Disconnects and closes. A plain disconnect, because Paho's disconnectForcibly always waits
   * out its whole timeout.
   */
  static void closeQuietly(MqttAsyncClient client) {
    try {
      if (client.isConnected()) {
        client.disconnect(0).waitForCompletion(2_000);
      }
    } catch (MqttException e) {
      // closed forcibly below
    }
    try {
      if (client.isConnected()) {
        client.disconnectForcibly(0, 500);
      }
      client.close();
    } catch (MqttException e) {
      // already gone
    }
  }
}
