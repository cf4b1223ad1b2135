package org.ferrymq.example;

import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * Lists what the example message-driven bean received, newest last, as JSON: {@code
 * /example/messages} under the context root that ferrymq-example.xml gives the application;
 * {@code /example/messages/count} is how many it received since the application started.
 */
@WebServlet({"/messages", "/messages/count"})
public class ExampleMessagesServlet extends HttpServlet {

  private static final long serialVersionUID = 1L;

  @Override
  protected void doGet(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    response.setCharacterEncoding("UTF-8");
    if (request.getServletPath().endsWith("/count")) {
      response.setContentType("text/plain");
      response.getWriter().write(Long.toString(RecentMessages.total()));
      return;
    }
    JsonArrayBuilder array = Json.createArrayBuilder();
    for (RecentMessages.Received m : RecentMessages.snapshot()) {
      array.add(Json.createObjectBuilder().add("topic", m.topic()).add("payload", m.payload())
          .add("qos", m.qos()).add("retained", m.retained()));
    }
    response.setContentType("application/json");
    response.getWriter().write(array.build().toString());
  }
}
