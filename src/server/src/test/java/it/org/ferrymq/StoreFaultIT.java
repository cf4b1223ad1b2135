package it.org.ferrymq;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.ferrymq.persistence.jdbc.PostgresCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 14 on a real Liberty server: the store becomes unavailable under load and comes back,
 * and the broker recovers by itself. The broker runs in mode {@code persistent} on the JDBC
 * backend, through a Liberty {@code <dataSource>}, against a PostgreSQL cluster that this test
 * runs and stops as a crash would ({@code pg_ctl -m immediate}, the database going down as a
 * disk or network fault would take it) and starts again on the same files.
 *
 * <p>While the database is down the broker must neither acknowledge what it cannot store nor
 * lose what it already acknowledged: QoS 1 publishes are held (no PUBACK), {@code /health/ready}
 * answers 503 with the number held, and when the database is back the broker reopens the store
 * without a restart, acknowledges the held publishes and delivers every acknowledged message.
 * Paho v3 on both sides (an independent client).
 */
class StoreFaultIT {
  private static final int BEFORE = 200;
  private static final int TOTAL = 600;
  private static final int WINDOW = 20;
  private static final Pattern HELD = Pattern.compile("\"publishes\\.held\"\\s*:\\s*(\\d+)");

  private static DurableServer server;
  private static PostgresCluster database;

  @BeforeAll
  static void startServers() throws Exception {
    database = PostgresCluster.start();
    server = DurableServer.create();
    Path driver = Path.of(org.postgresql.Driver.class.getProtectionDomain().getCodeSource()
        .getLocation().toURI());
    server.configDropin("store-fault-datasource.xml", """
        <server>
            <featureManager>
                <feature>jdbc-4.3</feature>
            </featureManager>
            <library id="postgresqlDriver">
                <file name="%s"/>
            </library>
            <!-- validated on loan: connections broken while the database was down are
                 replaced instead of handed to the broker again -->
            <dataSource id="ferrymqStore" jndiName="jdbc/ferrymq" validationTimeout="2s">
                <jdbcDriver libraryRef="postgresqlDriver"/>
                <properties.postgresql serverName="127.0.0.1" portNumber="%d"
                    databaseName="postgres" user="%s"/>
                <connectionManager connectionTimeout="5s" purgePolicy="EntirePool"/>
            </dataSource>
        </server>
        """.formatted(driver, database.port(), PostgresCluster.USER));
    server.start(Map.of("MQTT_PERSISTENCE", "persistent",
        "MQTT_PERSISTENCE_BACKEND", "jdbc",
        "MQTT_PERSISTENCE_DIR", server.newDirectory("unused-").toString(),
        "MQTT_PERSISTENCE_RECOVERY_MAX_MS", "1000"));
  }

  @AfterAll
  static void stopServers() throws IOException {
    if (server != null) {
      server.close();
    }
    if (database != null) {
      try {
        database.close();
      } catch (Exception e) {
        throw new IOException(e);
      }
    }
  }

  @Test
  void databaseDownHoldsPublishesAndTheBrokerResumesByItselfLosingNothingAcknowledged()
      throws Exception {
    String run = UUID.randomUUID().toString().substring(0, 8);
    String topic = "fault/" + run;
    Set<Integer> delivered = ConcurrentHashMap.newKeySet();
    List<String> problems = new CopyOnWriteArrayList<>();
    MqttAsyncClient subscriber = new MqttAsyncClient(server.mqttUri(), "fault-sub-" + run,
        new MemoryPersistence());
    MqttAsyncClient publisher = new MqttAsyncClient(server.mqttUri(), "fault-pub-" + run,
        new MemoryPersistence());
    try {
      subscriber.connect(options()).waitForCompletion(30_000);
      subscriber.subscribe(topic, 1, (t, m) -> delivered.add(Integer.parseInt(
          new String(m.getPayload(), StandardCharsets.UTF_8)))).waitForCompletion(30_000);
      publisher.connect(options()).waitForCompletion(30_000);
      Set<Integer> acked = ConcurrentHashMap.newKeySet();
      Semaphore window = new Semaphore(WINDOW);
      publish(publisher, topic, 0, BEFORE, window, acked, problems);
      await("the first messages acknowledged").atMost(Duration.ofSeconds(60))
          .until(() -> acked.size() == BEFORE);

      // Exercise: the database goes down, then the publisher goes on
      database.stopServer();
      Thread feeding = new Thread(() -> publish(publisher, topic, BEFORE, TOTAL, window, acked,
          problems), "fault-publisher");
      feeding.start();

      // Verify: not ready, with the fault named, and nothing acknowledged. The PUBLISH packets
      // the broker took before it noticed the fault wait for their commit; those arriving after
      // it are held unread (publishes.held). Which of the two a window ends up in depends on
      // when the first commit after the stop runs, so either counts.
      String[] readiness = new String[1];
      await("readiness DOWN with the store fault while the database is down")
          .atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).until(() -> {
            readiness[0] = server.httpGet("/health/ready").orElse("");
            return server.readinessStatus() == 503 && readiness[0].contains("\"store.fault\"");
          });
      int ackedWhileDown = acked.size();
      assertEquals(BEFORE, ackedWhileDown, "acknowledged while the database was down "
          + "(persistent mode acknowledges only what is committed)");

      // Exercise: the database comes back (same files, same port)
      database.startServer();

      // Verify: the broker reopened the store by itself, acknowledged everything held and
      // delivered every acknowledged message; it serves new clients
      await("every publish acknowledged after the database came back")
          .atMost(Duration.ofSeconds(120)).until(() -> acked.size() == TOTAL);
      feeding.join(10_000);
      await("readiness UP again").atMost(Duration.ofSeconds(30))
          .until(() -> server.readinessStatus() == 200);
      await("every acknowledged message delivered").atMost(Duration.ofSeconds(60))
          .until(() -> delivered.containsAll(acked));
      MqttAsyncClient newcomer = new MqttAsyncClient(server.mqttUri(), "fault-new-" + run,
          new MemoryPersistence());
      newcomer.connect(options()).waitForCompletion(30_000);
      newcomer.publish(topic + "/new", "1".getBytes(StandardCharsets.UTF_8), 1, false)
          .waitForCompletion(30_000);
      newcomer.disconnect().waitForCompletion(10_000);
      newcomer.close();
      long lost = acked.stream().filter(n -> !delivered.contains(n)).count();
      String report = String.format("database down after %d acknowledged; %d acknowledged "
          + "while down (held: %d in readiness); all %d acknowledged after it came back, "
          + "%d lost", BEFORE, ackedWhileDown - BEFORE, held(readiness[0]), TOTAL, lost);
      System.out.println("StoreFaultIT: " + report);
      assertEquals(List.of(), problems, report);
      assertEquals(0, lost, report);
      assertEquals(TOTAL, acked.size(), report);
    } finally {
      closeQuietly(subscriber);
      closeQuietly(publisher);
    }
  }

  private static void closeQuietly(MqttAsyncClient client) {
    try {
      if (client.isConnected()) {
        client.disconnectForcibly(1_000, 1_000);
      }
      client.close(true);
    } catch (MqttException e) {
      // the test's verdict is made; a client that will not close changes nothing
    }
  }

  private static int held(String readiness) {
    Matcher m = HELD.matcher(readiness);
    return m.find() ? Integer.parseInt(m.group(1)) : 0;
  }

  private static MqttConnectOptions options() {
    MqttConnectOptions o = new MqttConnectOptions();
    o.setCleanSession(false);
    o.setAutomaticReconnect(false);
    o.setKeepAliveInterval(60);
    o.setMaxInflight(WINDOW);
    return o;
  }

  /** Publishes from..to-1 at QoS 1 with at most the window's permits unacknowledged. */
  private static void publish(MqttAsyncClient client, String topic, int from, int to,
      Semaphore window, Set<Integer> acked, List<String> problems) {
    try {
      for (int n = from; n < to; n++) {
        if (!window.tryAcquire(180, TimeUnit.SECONDS)) {
          problems.add("no acknowledgement for 180 s at message " + n);
          return;
        }
        int number = n;
        client.publish(topic, Integer.toString(n).getBytes(StandardCharsets.UTF_8), 1, false,
            null, new IMqttActionListener() {
              @Override
              public void onSuccess(IMqttToken token) {
                acked.add(number);
                window.release();
              }

              @Override
              public void onFailure(IMqttToken token, Throwable cause) {
                problems.add("message " + number + ": " + cause);
                window.release();
              }
            });
      }
    } catch (Exception e) {
      problems.add("publishing stopped: " + e);
    }
  }
}
