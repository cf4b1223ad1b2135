package org.ferrymq.web.admin;

import jakarta.ws.rs.BadRequestException;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * The JSON body of a refused admin call, so that a script or the dashboard can show what was
 * wrong.
 *
 * @param status the HTTP status
 * @param error what was wrong, naming the field or rule
 */
public record Problem(int status, String error) {

  /** @return a 400 whose body names the problem */
  static BadRequestException badRequest(String error) {
    return new BadRequestException(error, response(Response.Status.BAD_REQUEST, error));
  }

  /** @return a 404 whose body names what was not found */
  static NotFoundException notFound(String error) {
    return new NotFoundException(error, response(Response.Status.NOT_FOUND, error));
  }

  private static Response response(Response.Status status, String error) {
    return Response.status(status).type(MediaType.APPLICATION_JSON)
        .entity(new Problem(status.getStatusCode(), error)).build();
  }
}
