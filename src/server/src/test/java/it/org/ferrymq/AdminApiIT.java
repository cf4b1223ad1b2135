package it.org.ferrymq;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;

/**
 * The administration API on the running server: described by OpenAPI at {@code /openapi}
 * (Liberty's mpOpenAPI), refused without credentials and to a user who is not an administrator,
 * served to the administrator (ADMIN_PASSWORD in the build's environment): every call, with a
 * Paho client on the other side where the call acts on clients.
 */
class AdminApiIT extends ServerIT {

  private static HttpResponse<String> get(String path, String user, String password)
      throws Exception {
    return call("GET", path, null, user, password);
  }

  private static HttpResponse<String> asAdmin(String method, String path, String json)
      throws Exception {
    return call(method, path, json, "admin", "it-admin-secret");
  }

  private static HttpResponse<String> call(String method, String path, String json, String user,
      String password) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(
        URI.create("http://localhost:" + HTTP_PORT + path)).timeout(Duration.ofSeconds(10))
        .method(method, json == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(json));
    if (json != null) {
      request.header("Content-Type", "application/json");
    }
    if (user != null) {
      request.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
          (user + ":" + password).getBytes(StandardCharsets.UTF_8)));
    }
    return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void theApiIsDescribedByOpenApi() throws Exception {
    HttpResponse<String> description = get("/openapi", null, null);

    assertEquals(200, description.statusCode());
    String yaml = description.body();
    assertTrue(yaml.contains("FerryMQ administration API"), yaml);
    assertTrue(yaml.contains("/api/clients:"), yaml);
    assertTrue(yaml.contains("/api/clients/{clientId}/disconnect:"), yaml);
    assertTrue(yaml.contains("/api/me:"), yaml);
    for (String path : List.of("/api/clients/{clientId}:", "/api/sessions/{clientId}:",
        "/api/retained:", "/api/publish:", "/api/bans:", "/api/bans/{kind}/{value}:",
        "/api/cluster:", "/api/cluster/clients:")) {
      assertTrue(yaml.contains(path), path + " in " + yaml);
    }
    assertTrue(yaml.contains("scheme: basic"), "the basic authentication scheme: " + yaml);
  }

  @Test
  void clientsAreListedForTheAdministratorOnly() throws Exception {
    assertEquals(401, get("/api/clients", null, null).statusCode());
    assertEquals(403, get("/api/clients", "alice", "alice-secret").statusCode());

    HttpResponse<String> admin = get("/api/clients", "admin", "it-admin-secret");
    assertEquals(200, admin.statusCode());
    assertTrue(admin.body().startsWith("["), admin.body());
  }

  @Test
  void aSingleNodeSaysItIsNotClustered() throws Exception {
    HttpResponse<String> overview = get("/api/cluster", "admin", "it-admin-secret");
    HttpResponse<String> clients = get("/api/cluster/clients", "admin", "it-admin-secret");

    assertEquals(200, overview.statusCode(), overview.body());
    assertTrue(overview.body().matches("(?s).*\"clustered\"\\s*:\\s*false.*"), overview.body());
    assertEquals(404, clients.statusCode(), clients.body());
    assertTrue(clients.body().contains("/api/clients"), clients.body());
  }

  @Test
  void everyAdminCallRefusesAnonymousAndNonAdministrators() throws Exception {
    String[][] calls = {
        {"GET", "/api/clients/someone", null},
        {"DELETE", "/api/sessions/someone", null},
        {"GET", "/api/retained?filter=%23", null},
        {"DELETE", "/api/retained?topic=a", null},
        {"POST", "/api/publish", "{\"topic\":\"a\",\"payload\":\"x\"}"},
        {"GET", "/api/bans", null},
        {"POST", "/api/bans", "{\"kind\":\"clientId\",\"value\":\"x\"}"},
        {"DELETE", "/api/bans/clientId/x", null},
        {"GET", "/api/cluster", null},
        {"GET", "/api/cluster/clients", null},
    };
    for (String[] c : calls) {
      assertEquals(401, call(c[0], c[1], c[2], null, null).statusCode(), c[0] + " " + c[1]);
      assertEquals(403, call(c[0], c[1], c[2], "alice", "alice-secret").statusCode(),
          c[0] + " " + c[1]);
    }
  }

  private static MqttClient mqtt(String clientId) throws MqttException {
    MqttClient client = new MqttClient("tcp://localhost:" + MQTT_PORT, clientId,
        new MemoryPersistence());
    MqttConnectOptions options = new MqttConnectOptions();
    options.setCleanSession(false);
    options.setConnectionTimeout(10);
    options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
    client.connect(options);
    return client;
  }

  @Test
  void aClientsDetailShowsItsSubscriptionsAndDeletingItsSessionDisconnectsIt() throws Exception {
    String id = "it-admin-" + UUID.randomUUID();
    MqttClient client = mqtt(id);
    try {
      client.subscribe("it/admin/detail/#", 1);

      HttpResponse<String> detail = get("/api/clients/" + id, "admin", "it-admin-secret");
      assertEquals(200, detail.statusCode(), detail.body());
      assertTrue(detail.body().contains("\"filter\":\"it/admin/detail/#\""), detail.body());
      assertTrue(detail.body().contains("\"connected\":true"), detail.body());
      assertTrue(detail.body().contains("\"protocol\":\"3.1.1\""), detail.body());
      assertTrue(detail.body().contains("\"transport\":\"tcp\""), detail.body());
      assertTrue(detail.body().matches("(?s).*\"remoteAddress\":\"[^\"]+:\\d+\".*"), detail.body());

      HttpResponse<String> deleted = asAdmin("DELETE", "/api/sessions/" + id, null);
      assertEquals(200, deleted.statusCode(), deleted.body());
      await().atMost(Duration.ofSeconds(10)).until(() -> !client.isConnected());
      assertEquals(404, get("/api/clients/" + id, "admin", "it-admin-secret").statusCode());
      assertEquals(404, asAdmin("DELETE", "/api/sessions/" + id, null).statusCode());
    } finally {
      client.close(true);
    }
  }

  @Test
  void publishedRetainedMessagesAreListedAndDeleted() throws Exception {
    String topic = "it/admin/retained/" + UUID.randomUUID();
    HttpResponse<String> published = asAdmin("POST", "/api/publish", "{\"topic\":\"" + topic
        + "\",\"payload\":\"hello\",\"qos\":1,\"retain\":true}");
    assertEquals(200, published.statusCode(), published.body());
    assertEquals(200, asAdmin("POST", "/api/publish", "{\"topic\":\"" + topic
        + "/bin\",\"payload\":\"/w==\",\"encoding\":\"base64\",\"retain\":true}")
        .statusCode());

    await().atMost(Duration.ofSeconds(10)).until(() -> asAdmin("GET",
        "/api/retained?filter=it/admin/retained/%23&limit=1000", null).body().contains(topic));
    String listing = asAdmin("GET", "/api/retained?filter=" + topic + "/%23", null).body();
    // JSON-B writes the properties in alphabetical order
    assertTrue(listing.contains("{\"encoding\":\"text\",\"payload\":\"hello\",\"qos\":1,"
        + "\"size\":5,\"topic\":\"" + topic + "\"}"), listing);
    assertTrue(listing.contains("{\"encoding\":\"base64\",\"payload\":\"/w==\",\"qos\":0,"
        + "\"size\":1,"), listing);
    assertEquals(400, asAdmin("GET", "/api/retained?filter=a/%23/b", null).statusCode());
    assertEquals(400, asAdmin("GET", "/api/retained?limit=1001", null).statusCode());

    assertEquals(200, asAdmin("DELETE", "/api/retained?topic=" + topic, null).statusCode());
    assertEquals(404, asAdmin("DELETE", "/api/retained?topic=" + topic, null).statusCode());
    assertFalse(asAdmin("GET", "/api/retained?filter=" + topic, null).body().contains("hello"));
  }

  @Test
  void publishRefusesWhatAClientCouldNotPublish() throws Exception {
    HttpResponse<String> dollar = asAdmin("POST", "/api/publish",
        "{\"topic\":\"$SYS/x\",\"payload\":\"x\"}");
    assertEquals(400, dollar.statusCode());
    assertTrue(dollar.body().contains("reserved"), dollar.body());
    HttpResponse<String> wildcard = asAdmin("POST", "/api/publish",
        "{\"topic\":\"a/+\",\"payload\":\"x\"}");
    assertEquals(400, wildcard.statusCode());
    assertTrue(wildcard.body().contains("MQTT-4.7.0-1"), wildcard.body());
    assertEquals(400, asAdmin("POST", "/api/publish",
        "{\"topic\":\"a\",\"qos\":3}").statusCode());
    assertEquals(400, asAdmin("POST", "/api/publish",
        "{\"topic\":\"a\",\"payload\":\"***\",\"encoding\":\"base64\"}").statusCode());
  }

  @Test
  void aBannedClientIdIsRefusedAndDisconnectedUntilUnbanned() throws Exception {
    String id = "it-banned-" + UUID.randomUUID();
    MqttClient connected = mqtt(id);
    try {
      HttpResponse<String> banned = asAdmin("POST", "/api/bans",
          "{\"kind\":\"clientId\",\"value\":\"" + id + "\",\"reason\":\"it\"}");
      assertEquals(201, banned.statusCode(), banned.body());
      await().atMost(Duration.ofSeconds(10)).until(() -> !connected.isConnected());
      assertTrue(asAdmin("GET", "/api/bans", null).body().contains(id));
      MqttException refused = assertThrows(MqttException.class, () -> mqtt(id).close(true));
      assertEquals(MqttException.REASON_CODE_NOT_AUTHORIZED, refused.getReasonCode(),
          "MQTT 3.1.1 return code 5");

      assertEquals(200, asAdmin("DELETE", "/api/bans/clientId/" + id, null).statusCode());
      MqttClient again = mqtt(id);
      again.disconnect();
      again.close(true);
      assertEquals(404, asAdmin("DELETE", "/api/bans/clientId/" + id, null).statusCode());
    } finally {
      connected.close(true);
    }
  }

  @Test
  void addressBansTakeCidrRangesInThePath() throws Exception {
    assertEquals(400, asAdmin("POST", "/api/bans",
        "{\"kind\":\"address\",\"value\":\"example.com\"}").statusCode());
    assertEquals(201, asAdmin("POST", "/api/bans",
        "{\"kind\":\"address\",\"value\":\"192.0.2.0/24\"}").statusCode());
    assertEquals(200, asAdmin("DELETE", "/api/bans/address/192.0.2.0/24", null).statusCode());
    assertEquals(400, asAdmin("DELETE", "/api/bans/ip/192.0.2.0", null).statusCode());
  }
}
