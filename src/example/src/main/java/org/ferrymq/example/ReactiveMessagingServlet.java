package org.ferrymq.example;

import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObjectBuilder;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.ferrymq.api.MqttMessage;
import org.ferrymq.api.UserProperty;

/**
 * The Reactive Messaging side of the example over HTTP: {@code GET /example/readings} lists what
 * {@link SensorReadings} consumed (with user properties and correlation data) as JSON, and
 * {@code POST /example/orders?id=...&correlation=...} publishes through {@link OrderEvents}.
 */
@WebServlet({"/readings", "/orders"})
public class ReactiveMessagingServlet extends HttpServlet {

  private static final long serialVersionUID = 1L;

  @Inject
  transient SensorReadings readings;

  @Inject
  transient OrderEvents orders;

  @Override
  protected void doGet(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    JsonArrayBuilder array = Json.createArrayBuilder();
    for (MqttMessage m : readings.last()) {
      JsonObjectBuilder properties = Json.createObjectBuilder();
      for (UserProperty p : m.userProperties()) {
        properties.add(p.name(), p.value());
      }
      JsonObjectBuilder o = Json.createObjectBuilder().add("topic", m.topic())
          .add("payload", new String(m.payload(), StandardCharsets.UTF_8))
          .add("userProperties", properties);
      m.correlationData().ifPresent(c -> o.add("correlationData",
          new String(c, StandardCharsets.UTF_8)));
      array.add(o);
    }
    response.setContentType("application/json");
    response.setCharacterEncoding("UTF-8");
    response.getWriter().write(array.build().toString());
  }

  @Override
  protected void doPost(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    String id = request.getParameter("id");
    String correlation = request.getParameter("correlation");
    if (id == null || correlation == null) {
      response.sendError(HttpServletResponse.SC_BAD_REQUEST, "id and correlation are required");
      return;
    }
    try {
      orders.created(id, correlation.getBytes(StandardCharsets.UTF_8)).toCompletableFuture()
          .get(10, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      response.sendError(HttpServletResponse.SC_SERVICE_UNAVAILABLE, e.toString());
      return;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      response.sendError(HttpServletResponse.SC_SERVICE_UNAVAILABLE, "interrupted");
      return;
    }
    response.setStatus(HttpServletResponse.SC_ACCEPTED);
  }
}
