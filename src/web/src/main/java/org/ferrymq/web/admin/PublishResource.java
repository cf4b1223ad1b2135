package org.ferrymq.web.admin;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.ferrymq.config.BrokerConfig;
import org.ferrymq.engine.MqttBroker;
import org.ferrymq.message.Message;
import org.ferrymq.packet.QoS;
import org.ferrymq.topic.Topics;

/**
 * Publishes a message as the broker's in-process publisher, checked as a client's PUBLISH would
 * be (topic name rules, no {@code $} topics, the broker's maximum QoS and packet size). ACLs do
 * not apply: the caller is an administrator.
 */
@Path("publish")
@RolesAllowed(AdminApplication.ADMINISTRATOR)
@Tag(name = "messages", description = "Publishing test messages")
@SecurityRequirement(name = AdminApplication.BASIC)
public class PublishResource {

  /**
   * What to publish.
   *
   * @param topic the topic name: no wildcards, not a {@code $} topic
   * @param payload the payload, as {@code encoding} says; empty when absent
   * @param encoding {@code text} (UTF-8, the default) or {@code base64}
   * @param qos 0 (default), 1 or 2
   * @param retain whether the broker retains it; an empty retained payload deletes
   */
  public record PublishRequest(String topic, String payload, String encoding, Integer qos,
      Boolean retain) {
  }

  /**
   * What was published.
   *
   * @param topic the topic
   * @param qos the QoS
   * @param retain whether it was retained
   * @param size the payload's size in bytes
   */
  public record Published(String topic, int qos, boolean retain, int size) {
  }

  /** @return what was published */
  @POST
  @Consumes(MediaType.APPLICATION_JSON)
  @Produces(MediaType.APPLICATION_JSON)
  @Operation(summary = "Publishes a message through the broker, checked like a client's PUBLISH")
  @APIResponse(responseCode = "200", description = "Published")
  @APIResponse(responseCode = "400", description = "The body names the invalid field")
  @APIResponse(responseCode = "401", description = "No credentials")
  @APIResponse(responseCode = "403", description = "Not an administrator")
  public Published publish(PublishRequest request) {
    MqttBroker broker = RunningBroker.get();
    Message message = messageOf(request, broker.config());
    broker.publish(message);
    return new Published(message.topic(), message.qos().value(), message.retain(),
        message.payload().length);
  }

  private static Message messageOf(PublishRequest request, BrokerConfig config) {
    if (request == null) {
      throw Problem.badRequest("a JSON body {topic, payload, encoding, qos, retain} is needed");
    }
    String problem = Topics.problemWithName(request.topic());
    if (problem != null) {
      throw Problem.badRequest("topic: " + problem);
    }
    if (request.topic().startsWith("$")) {
      throw Problem.badRequest("topic: topics starting with '$' are reserved for the broker");
    }
    int qos = request.qos() == null ? 0 : request.qos();
    if (qos < 0 || qos > config.maximumQos()) {
      throw Problem.badRequest("qos must be 0.." + config.maximumQos() + ", was " + qos);
    }
    boolean retain = Boolean.TRUE.equals(request.retain());
    if (retain && !config.retainAvailable()) {
      throw Problem.badRequest("retain: the broker does not retain messages (mqtt.retain-available)");
    }
    byte[] payload;
    try {
      payload = PayloadEncoding.of(request.encoding()).decode(request.payload());
    } catch (IllegalArgumentException e) {
      throw Problem.badRequest(e.getMessage());
    }
    if (payload.length + request.topic().length() > config.maxPacketSize()) {
      throw Problem.badRequest("payload: " + payload.length + " bytes do not fit the maximum "
          + "packet size " + config.maxPacketSize());
    }
    return Message.of(request.topic(), payload, QoS.of(qos), retain);
  }
}
