/**
 * MQTT data types on the wire (MQTT 5 section 1.5): Variable Byte Integer, UTF-8 strings, binary
 * data and property blocks. Readers are bounds-checked against the packet body and throw
 * {@link org.ferrymq.codec.MalformedPacketException}; writers assume an exactly sized heap buffer.
 */
package org.ferrymq.codec.wire;
