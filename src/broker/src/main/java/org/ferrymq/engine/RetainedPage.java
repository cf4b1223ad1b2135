package org.ferrymq.engine;

import java.util.List;
import org.ferrymq.message.Message;

/**
 * A bounded listing of retained messages.
 *
 * @param messages at most the limit asked for, by topic
 * @param more whether more messages matched than were returned
 */
public record RetainedPage(List<Message> messages, boolean more) {

  public RetainedPage {
    messages = List.copyOf(messages);
  }
}
