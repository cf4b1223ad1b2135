/**
 * The Jakarta Connectors resource adapter that hosts the broker on Liberty.
 *
 * <p>{@link org.ferrymq.ra.FerryResourceAdapter} owns the one {@link
 * org.ferrymq.engine.MqttBroker} of the server and its MQTT TCP, TLS, ws and wss listeners; every
 * thread they use is long-running work from the adapter's {@code WorkManager}. Applications reach the
 * broker through the outbound {@link org.ferrymq.api.MqttConnectionFactory} ({@code jca/ferrymq})
 * or receive messages as message-driven beans implementing {@link
 * org.ferrymq.api.MqttMessageListener}. The web module, which loads these classes through its class
 * provider, finds the running broker with {@link org.ferrymq.ra.BrokerRuntime#current()}.
 */
package org.ferrymq.ra;
