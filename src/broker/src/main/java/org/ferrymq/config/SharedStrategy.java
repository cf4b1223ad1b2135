package org.ferrymq.config;

/** How a shared subscription group chooses the member that receives a message. */
public enum SharedStrategy {
  ROUND_ROBIN, LEAST_LOADED
}
