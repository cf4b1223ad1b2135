package it.org.ferrymq;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/**
 * The administration API on the running server: described by OpenAPI at {@code /openapi}
 * (Liberty's mpOpenAPI), refused without credentials and to a user who is not an administrator,
 * served to the administrator (ADMIN_PASSWORD in the build's environment).
 */
class AdminApiIT extends ServerIT {

  private static HttpResponse<String> get(String path, String user, String password)
      throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(
        URI.create("http://localhost:" + HTTP_PORT + path)).timeout(Duration.ofSeconds(10));
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
}
