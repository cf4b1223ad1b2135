package org.ferrymq.security;

/** Topic-level permissions, checked on PUBLISH, SUBSCRIBE and Will topics. */
public interface Authorizer {

  /** Permits everything; the dev profile's default. */
  Authorizer ALLOW_ALL = new Authorizer() {
    @Override
    public boolean canPublish(ClientIdentity client, String topic) {
      return true;
    }

    @Override
    public boolean canSubscribe(ClientIdentity client, String filter) {
      return true;
    }
  };

  /**
   * @param client the publisher
   * @param topic the topic name
   * @return whether the client may publish to the topic (also asked for its Will topic)
   */
  boolean canPublish(ClientIdentity client, String topic);

  /**
   * @param client the subscriber
   * @param filter the topic filter as sent, including any {@code $share/group/} prefix
   * @return whether the client may subscribe
   */
  boolean canSubscribe(ClientIdentity client, String filter);

  /**
   * Asked for every message before it is delivered to a client's subscription, so that a wide
   * subscription only carries the topics the client may read.
   *
   * @param client the subscriber
   * @param topic the message's topic name
   * @return whether the message may be delivered; by default every one may
   */
  default boolean canReceive(ClientIdentity client, String topic) {
    return true;
  }
}
