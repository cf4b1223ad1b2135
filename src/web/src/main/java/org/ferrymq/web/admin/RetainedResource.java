package org.ferrymq.web.admin;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.ferrymq.engine.RetainedPage;
import org.ferrymq.topic.Topics;

/**
 * Retained messages: a bounded listing by topic filter, and deletion by topic (a query
 * parameter, since topics contain '/').
 */
@Path("retained")
@RolesAllowed(AdminApplication.ADMINISTRATOR)
@Tag(name = "retained", description = "Retained messages")
@SecurityRequirement(name = AdminApplication.BASIC)
public class RetainedResource {
  static final int DEFAULT_LIMIT = 100;
  static final int MAX_LIMIT = 1000;

  /**
   * A bounded listing.
   *
   * @param messages the retained messages found, by topic
   * @param more whether more matched than the limit let through
   */
  public record Listing(List<RetainedView> messages, boolean more) {
  }

  /**
   * The result of a deletion.
   *
   * @param topic the topic whose retained message was deleted
   * @param deleted always true: a topic without one gives 404
   */
  public record Deleted(String topic, boolean deleted) {
  }

  /** @return the retained messages matching the filter, at most {@code limit} */
  @GET
  @Produces(MediaType.APPLICATION_JSON)
  @Operation(summary = "Retained messages matching a topic filter, by topic, at most limit "
      + "(default 100, at most 1000); payloads as text when UTF-8, else base64")
  @APIResponse(responseCode = "200", description = "The messages")
  @APIResponse(responseCode = "400", description = "Invalid filter or limit")
  @APIResponse(responseCode = "401", description = "No credentials")
  @APIResponse(responseCode = "403", description = "Not an administrator")
  public Listing list(
      @Parameter(description = "Topic filter; '#' (default) lists every non-$ topic")
      @QueryParam("filter") @DefaultValue("#") String filter,
      @Parameter(description = "At most this many, 1..1000")
      @QueryParam("limit") @DefaultValue("100") int limit) {
    String problem = Topics.problemWithFilter(filter);
    if (problem != null) {
      throw Problem.badRequest("filter: " + problem);
    }
    if (Topics.isShared(filter)) {
      throw Problem.badRequest("filter: a shared subscription filter lists no retained messages");
    }
    if (limit < 1 || limit > MAX_LIMIT) {
      throw Problem.badRequest("limit must be 1.." + MAX_LIMIT + ", was " + limit);
    }
    RetainedPage page = RunningBroker.get().retained(filter, limit);
    return new Listing(page.messages().stream().map(RetainedView::of).toList(), page.more());
  }

  /** @return the topic whose retained message was deleted */
  @DELETE
  @Produces(MediaType.APPLICATION_JSON)
  @Operation(summary = "Deletes the retained message of a topic, as an empty retained PUBLISH "
      + "would")
  @APIResponse(responseCode = "200", description = "Deleted")
  @APIResponse(responseCode = "400", description = "Missing or invalid topic")
  @APIResponse(responseCode = "404", description = "The topic has no retained message")
  @APIResponse(responseCode = "401", description = "No credentials")
  @APIResponse(responseCode = "403", description = "Not an administrator")
  public Deleted delete(
      @Parameter(description = "Topic name (no wildcards)", required = true)
      @QueryParam("topic") String topic) {
    String problem = Topics.problemWithName(topic);
    if (problem != null) {
      throw Problem.badRequest("topic: " + problem);
    }
    if (!RunningBroker.get().deleteRetained(topic)) {
      throw Problem.notFound("No retained message on '" + topic + "'");
    }
    return new Deleted(topic, true);
  }
}
