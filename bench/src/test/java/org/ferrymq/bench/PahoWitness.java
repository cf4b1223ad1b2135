package org.ferrymq.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

/**
 * A subscriber of a soak group built on an independent client, Eclipse Paho (MQTT 3.1.1 over
 * TCP or MQTT 5 over WebSocket), with a persistent session and automatic reconnect: it takes
 * Paho's word for QoS 2 exactly-once, so a duplicate or a gap here is not the soak's own client
 * misreading the protocol. Paho runs threads per client, so the soak has only a few.
 */
final class PahoWitness implements Receiver, AutoCloseable {
  private static final long SESSION_EXPIRY_SECONDS = 3600;
  /** Paho's MQTT 5 client logs every acknowledgement at INFO; held so the level sticks. */
  private static final Logger PAHO_LOG = Logger.getLogger("org.eclipse.paho");

  static {
    PAHO_LOG.setLevel(Level.WARNING);
  }

  final String clientId;
  private final SequenceSet[] receivedFrom;
  private final Object client;
  private final List<Long> qos2Duplicates = new ArrayList<>();

  private PahoWitness(String clientId, int publishers, Object client) {
    this.clientId = clientId;
    this.receivedFrom = new SequenceSet[publishers];
    for (int i = 0; i < publishers; i++) {
      receivedFrom[i] = new SequenceSet();
    }
    this.client = client;
  }

  /** An MQTT 3.1.1 subscriber, Clean Session 0, at QoS 2 on {@code topic}. */
  static PahoWitness v3(String uri, String clientId, String topic, int publishers)
      throws MqttException {
    org.eclipse.paho.client.mqttv3.MqttClient c =
        new org.eclipse.paho.client.mqttv3.MqttClient(uri, clientId, new MemoryPersistence());
    PahoWitness w = new PahoWitness(clientId, publishers, c);
    c.setCallback(new MqttCallback() {
      @Override
      public void connectionLost(Throwable cause) {
        // automatic reconnect resumes the session
      }

      @Override
      public void messageArrived(String t, MqttMessage m) {
        w.record(m.getPayload(), m.getQos());
      }

      @Override
      public void deliveryComplete(IMqttDeliveryToken token) {
        // subscribes only
      }
    });
    MqttConnectOptions o = new MqttConnectOptions();
    o.setCleanSession(false);
    o.setAutomaticReconnect(true);
    o.setMaxInflight(1000);
    c.connect(o);
    c.subscribe(topic, 2);
    return w;
  }

  /** An MQTT 5 subscriber, Clean Start 0 and a session expiry, at QoS 2 on {@code topic}. */
  static PahoWitness v5(String uri, String clientId, String topic, int publishers)
      throws org.eclipse.paho.mqttv5.common.MqttException {
    org.eclipse.paho.mqttv5.client.MqttClient c =
        new org.eclipse.paho.mqttv5.client.MqttClient(uri, clientId,
            new org.eclipse.paho.mqttv5.client.persist.MemoryPersistence());
    PahoWitness w = new PahoWitness(clientId, publishers, c);
    c.setCallback(new org.eclipse.paho.mqttv5.client.MqttCallback() {
      @Override
      public void disconnected(MqttDisconnectResponse response) {
        // automatic reconnect resumes the session
      }

      @Override
      public void mqttErrorOccurred(org.eclipse.paho.mqttv5.common.MqttException exception) {
        // the tally shows what a failure cost
      }

      @Override
      public void messageArrived(String t, org.eclipse.paho.mqttv5.common.MqttMessage m) {
        w.record(m.getPayload(), m.getQos());
      }

      @Override
      public void deliveryComplete(IMqttToken token) {
        // subscribes only
      }

      @Override
      public void connectComplete(boolean reconnect, String serverUri) {
        // nothing to do: the session carries the subscription
      }

      @Override
      public void authPacketArrived(int reasonCode, MqttProperties properties) {
        // no enhanced authentication
      }
    });
    MqttConnectionOptions o = new MqttConnectionOptions();
    o.setCleanStart(false);
    o.setSessionExpiryInterval(SESSION_EXPIRY_SECONDS);
    o.setAutomaticReconnect(true);
    c.connect(o);
    c.subscribe(new MqttSubscription[] {new MqttSubscription(topic, 2)});
    return w;
  }

  private synchronized void record(byte[] payload, int qos) {
    long sequence = Payload.sequence(payload, 0);
    int index = Publisher.indexOf(sequence);
    if (index < receivedFrom.length && !receivedFrom[index].add(Publisher.numberOf(sequence))
        && qos == 2) {
      qos2Duplicates.add(sequence);
    }
  }

  @Override
  public synchronized List<Long> qos2Duplicates() {
    return List.copyOf(qos2Duplicates);
  }

  @Override
  public boolean isWitness() {
    return true;
  }

  @Override
  public SequenceSet receivedFrom(int index) {
    return receivedFrom[index];
  }

  /** Disconnects (with DISCONNECT) and releases the client's threads. */
  @Override
  public void close() throws Exception {
    if (client instanceof org.eclipse.paho.client.mqttv3.MqttClient c3) {
      c3.disconnect();
      c3.close();
    } else if (client instanceof org.eclipse.paho.mqttv5.client.MqttClient c5) {
      c5.disconnect();
      c5.close();
    }
  }
}
