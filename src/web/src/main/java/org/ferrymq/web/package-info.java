/**
 * The web module: MQTT over WebSocket at {@code /mqtt}, MicroProfile Health and Metrics, and the
 * guard that refuses to start the module when the resource adapter's broker did not start. Every
 * class here uses the broker published by {@link org.ferrymq.ra.BrokerRuntime}, the same instance
 * the TCP listeners feed.
 */
package org.ferrymq.web;
