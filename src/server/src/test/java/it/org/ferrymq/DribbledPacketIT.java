package it.org.ferrymq;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.OutputStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.ferrymq.packet.Disconnect;
import org.ferrymq.packet.Properties;
import org.ferrymq.packet.ProtocolVersion;
import org.ferrymq.packet.Publish;
import org.ferrymq.packet.QoS;
import org.ferrymq.packet.ReasonCode;
import org.junit.jupiter.api.Test;

/**
 * Packets that arrive in pieces, over TCP to the running server: a 1 MB one written a byte at a
 * time is assembled (the engine's buffer grows from its fixed header, so the copies are linear
 * in its size: PartialPacketTest counts them), and one that trickles in below
 * mqtt.min-packet-rate (256 bytes/s) is cut off once mqtt.connect-timeout (10 s) has passed.
 */
class DribbledPacketIT extends ServerIT {

  @Test
  void megabytePacketWrittenAByteAtATimeArrivesWhole() throws Exception {
    MqttClient subscriber = Clients.connect("tcp://localhost:" + MQTT_PORT, null);
    BlockingQueue<MqttMessage> received = Clients.subscribe(subscriber, "it/dribbled", 0);
    byte[] payload = new byte[1_000_000];
    for (int i = 0; i < payload.length; i++) {
      payload[i] = (byte) (i * 31);
    }
    byte[] wire = PacedClient.encode(List.of(new Publish("it/dribbled", payload,
        QoS.AT_MOST_ONCE, false, false, 0, Properties.EMPTY)), ProtocolVersion.MQTT_5);
    try (PacedClient publisher = PacedClient.open(MQTT_PORT, ProtocolVersion.MQTT_5, 0)) {
      publisher.connect("it-dribbler", 0, Properties.EMPTY);
      OutputStream out = publisher.socket().getOutputStream();
      long start = System.nanoTime();

      // Exercise: one write per byte, Nagle off, so the broker reads it in many small pieces
      for (byte b : wire) {
        out.write(b);
      }

      // Verify
      MqttMessage m = received.poll(60, TimeUnit.SECONDS);
      assertNotNull(m, "the dribbled packet never arrived");
      assertArrayEquals(payload, m.getPayload());
      System.out.printf("1 MB PUBLISH written a byte at a time arrived after %.1f s%n",
          (System.nanoTime() - start) / 1e9);
    } finally {
      Clients.close(subscriber);
    }
  }

  @Test
  void packetTricklingBelowTheMinimumRateIsCutOff() throws Exception {
    try (PacedClient loris = PacedClient.open(MQTT_PORT, ProtocolVersion.MQTT_5, 0)) {
      loris.connect("it-loris", 0, Properties.EMPTY);
      OutputStream out = loris.socket().getOutputStream();
      // A PUBLISH announcing 10,000 bytes, then about 20 bytes/s of it
      out.write(new byte[] {0x30, (byte) 0x90, 0x4E});

      // Exercise
      await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
          .ignoreExceptions().until(() -> {
            out.write(0);
            return loris.socket().getInputStream().available() > 0;
          });

      // Verify: MQTT 5 DISCONNECT 0x8D, then the close
      Disconnect d = assertInstanceOf(Disconnect.class, loris.receive());
      assertEquals(ReasonCode.KEEP_ALIVE_TIMEOUT, d.reasonCode());
    }
  }
}
