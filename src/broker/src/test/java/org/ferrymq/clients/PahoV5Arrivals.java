package org.ferrymq.clients;

import java.util.function.BiConsumer;
import java.util.function.IntConsumer;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

/**
 * A Paho v5 callback that hands each arriving message to a consumer and ignores every other
 * event, which the tests read from the wire or from the client instead.
 *
 * @param onMessage receives the topic and the message, on Paho's callback thread
 * @param onDisconnect receives the reason code of a DISCONNECT from the server
 */
public record PahoV5Arrivals(BiConsumer<String, MqttMessage> onMessage,
    IntConsumer onDisconnect) implements MqttCallback {

  public PahoV5Arrivals(BiConsumer<String, MqttMessage> onMessage) {
    this(onMessage, reasonCode -> { });
  }

  @Override
  public void messageArrived(String topic, MqttMessage message) {
    onMessage.accept(topic, message);
  }

  @Override
  public void disconnected(MqttDisconnectResponse response) {
    onDisconnect.accept(response.getReturnCode());
  }

  @Override
  public void mqttErrorOccurred(MqttException exception) {
  }

  @Override
  public void deliveryComplete(IMqttToken token) {
  }

  @Override
  public void connectComplete(boolean reconnect, String serverUri) {
  }

  @Override
  public void authPacketArrived(int reasonCode, MqttProperties properties) {
  }
}
