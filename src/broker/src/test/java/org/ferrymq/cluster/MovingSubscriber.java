package org.ferrymq.cluster;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.ferrymq.engine.MqttBroker;
import org.ferrymq.engine.TestClient;
import org.ferrymq.packet.ConnAck;
import org.ferrymq.packet.Connect;
import org.ferrymq.packet.Disconnect;
import org.ferrymq.packet.Packet;
import org.ferrymq.packet.Properties;
import org.ferrymq.packet.ProtocolVersion;
import org.ferrymq.packet.PubAck;
import org.ferrymq.packet.PubComp;
import org.ferrymq.packet.PubRec;
import org.ferrymq.packet.PubRel;
import org.ferrymq.packet.Publish;
import org.ferrymq.packet.QoS;
import org.ferrymq.packet.Subscribe;
import org.ferrymq.packet.Subscription;

/**
 * A persistent MQTT 3.1.1 subscriber that reconnects to one node after another, keeping its own
 * side of the QoS 2 exchanges across connections as a client's session must: it takes a QoS 2
 * message when its PUBLISH first arrives and remembers the packet id until PUBREL, so a resent
 * PUBLISH is not taken again [MQTT-4.3.3-2]. Counts every message it takes, by payload. A
 * reader thread per connection answers the broker; it alone writes to that connection.
 */
final class MovingSubscriber {
  private final String clientId;
  private final Map<String, Integer> taken;
  /** Packet ids of QoS 2 messages taken and not released yet; survives reconnections. */
  private final Set<Integer> unreleased = new HashSet<>();
  private Connection current;

  /** @param taken receives each payload taken, with how often it was taken */
  MovingSubscriber(String clientId, Map<String, Integer> taken) {
    this.clientId = clientId;
    this.taken = taken;
  }

  /**
   * Connects to the node, resuming its session (clean session 0).
   *
   * @return whether the broker said the session was present
   */
  boolean connectTo(MqttBroker node) {
    TestClient client = new TestClient(node, ProtocolVersion.MQTT_3_1_1);
    ConnAck ack = client.connectWith(new Connect(ProtocolVersion.MQTT_3_1_1, clientId, false,
        60, null, null, null, Properties.EMPTY));
    if (ack.reasonCode().isError()) {
      throw new AssertionError("CONNECT refused: " + ack);
    }
    current = new Connection(client);
    current.reader.start();
    return ack.sessionPresent();
  }

  /** Subscribes on the current connection; the reader takes the SUBACK. */
  void subscribe(String filter, QoS qos) {
    current.subscribe = new Subscription(filter, qos);
  }

  /** Sends DISCONNECT once the reader has answered what arrived before; waits for it. */
  void disconnect() throws InterruptedException {
    current.leaving.set(true);
    current.reader.join(10_000);
    if (current.reader.isAlive()) {
      throw new AssertionError("the subscriber's reader did not stop");
    }
  }

  /** One network connection and the thread that reads it. */
  private final class Connection {
    private final TestClient client;
    private final AtomicBoolean leaving = new AtomicBoolean();
    private volatile Subscription subscribe;
    private final Thread reader = new Thread(this::read, "moving-subscriber");

    Connection(TestClient client) {
      this.client = client;
    }

    private void read() {
      while (!leaving.get() && !client.isClosed()) {
        Subscription s = subscribe;
        if (s != null) {
          subscribe = null;
          client.send(new Subscribe(client.nextId(), List.of(s),
              Properties.EMPTY));
        }
        Packet p = client.transport.pollNow();
        if (p == null) {
          pause();
          continue;
        }
        answer(p);
      }
      if (!client.isClosed()) {
        client.send(Disconnect.NORMAL);
      }
    }

    private void pause() {
      try {
        Thread.sleep(1);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        leaving.set(true);
      }
    }

    private void answer(Packet p) {
      if (p instanceof Publish m) {
        if (m.qos() == QoS.AT_LEAST_ONCE) {
          take(m);
          client.send(new PubAck(m.packetId()));
        } else if (m.qos() == QoS.EXACTLY_ONCE) {
          if (unreleased.add(m.packetId())) {
            take(m);
          }
          client.send(new PubRec(m.packetId()));
        } else {
          take(m);
        }
      } else if (p instanceof PubRel r) {
        unreleased.remove(r.packetId());
        client.send(new PubComp(r.packetId()));
      }
    }

    private void take(Publish m) {
      taken.merge(new String(m.payload(), StandardCharsets.UTF_8), 1, Integer::sum);
    }
  }
}
