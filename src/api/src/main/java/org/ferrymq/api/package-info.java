/**
 * What a Jakarta EE application compiles against to use FerryMQ in-process: the outbound {@link
 * org.ferrymq.api.MqttConnectionFactory} (JNDI {@code jca/ferrymq}), its {@link
 * org.ferrymq.api.MqttConnection}, the {@link org.ferrymq.api.MqttMessageListener} of
 * message-driven beans and the {@link org.ferrymq.api.MqttMessage} both carry. The server shares
 * this package with applications as a library (docs/jakarta-ee.md); nothing else of the broker is
 * visible to them.
 */
package org.ferrymq.api;
