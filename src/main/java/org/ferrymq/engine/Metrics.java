package org.ferrymq.engine;

import java.util.concurrent.atomic.LongAdder;

/** Broker-wide counters, updated from every lane and transport thread without locks. */
final class Metrics {
  final LongAdder connectionsOpen = new LongAdder();
  final LongAdder connectionsTotal = new LongAdder();
  final LongAdder clientsConnected = new LongAdder();
  final LongAdder messagesReceived = new LongAdder();
  final LongAdder messagesSent = new LongAdder();
  final LongAdder bytesReceived = new LongAdder();
  final LongAdder bytesSent = new LongAdder();
  final LongAdder messagesDropped = new LongAdder();
  final LongAdder messagesQueued = new LongAdder();
}
