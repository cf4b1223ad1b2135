package org.ferrymq.engine;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiFunction;
import java.util.function.ToLongFunction;
import org.ferrymq.packet.QoS;
import org.ferrymq.stats.LatencySnapshot;
import org.ferrymq.transport.TransportKind;

/**
 * Broker-wide counters, updated without locks. Per-connection events use {@code LongAdder}s;
 * per-message events go to the counters of the lane doing the work ({@link LaneCounters}) and
 * are summed when read.
 */
final class Metrics {
  final LongAdder connectionsOpen = new LongAdder();
  final LongAdder connectionsTotal = new LongAdder();
  final LongAdder clientsConnected = new LongAdder();
  final LongAdder bytesReceived = new LongAdder();
  /** Connections the broker currently does not read from (backpressure). */
  final LongAdder connectionsPaused = new LongAdder();
  /** Publishers with at least one acknowledgement held back by a congested subscriber. */
  final LongAdder publishersThrottled = new LongAdder();
  /** Clients disconnected for taking nothing within {@code mqtt.slow-subscriber-timeout}. */
  final LongAdder slowSubscribersDisconnected = new LongAdder();
  /** Connections closed for sending a packet slower than {@code mqtt.min-packet-rate}. */
  final LongAdder slowPacketsClosed = new LongAdder();
  /** PUBLISH packets held because the store is failed. */
  final LongAdder publishesHeld = new LongAdder();
  /** CONNECTs refused while the broker was overloaded. */
  final LongAdder connectionsRefusedOverload = new LongAdder();
  /** Logins refused for their credentials (0x86, 0x87), enhanced authentication included. */
  final LongAdder authFailures = new LongAdder();
  /** Logins refused unchecked by the login throttle. */
  final LongAdder authThrottled = new LongAdder();
  /** CONNECTs refused because the credential-check queue was full. */
  final LongAdder authRefusedBusy = new LongAdder();
  /** Open connections by how they connected, indexed by {@link TransportKind#ordinal()}. */
  private final LongAdder[] openByKind = new LongAdder[TransportKind.values().length];
  private final List<LaneCounters> lanes = new CopyOnWriteArrayList<>();

  Metrics() {
    for (int i = 0; i < openByKind.length; i++) {
      openByKind[i] = new LongAdder();
    }
  }

  void opened(TransportKind kind) {
    openByKind[kind.ordinal()].increment();
  }

  void closed(TransportKind kind) {
    openByKind[kind.ordinal()].decrement();
  }

  Map<TransportKind, Long> connectionsOpenByKind() {
    EnumMap<TransportKind, Long> out = new EnumMap<>(TransportKind.class);
    for (TransportKind k : TransportKind.values()) {
      out.put(k, openByKind[k.ordinal()].sum());
    }
    return out;
  }
  private final LaneCounters shared = new LaneCounters.Shared();

  /** @return a new lane's counters, included in every sum from now on */
  LaneCounters newLane() {
    LaneCounters c = new LaneCounters();
    lanes.add(c);
    return c;
  }

  /** @return the counters the calling thread may write: its lane's when it is running it */
  LaneCounters on(Lane lane) {
    return lane != null && lane.isCurrent() ? lane.counters : shared;
  }

  long messagesReceived() {
    return sum(LaneCounters::messagesReceived);
  }

  long messagesSent() {
    return sum(LaneCounters::messagesSent);
  }

  Map<QoS, Long> messagesReceivedByQos() {
    return byQos(LaneCounters::messagesReceived);
  }

  Map<QoS, Long> messagesSentByQos() {
    return byQos(LaneCounters::messagesSent);
  }

  /** @return from arrival to delivery, every lane added up */
  LatencySnapshot deliveryLatency() {
    LatencySnapshot total = shared.deliveryLatency();
    for (LaneCounters c : lanes) {
      total = total.plus(c.deliveryLatency());
    }
    return total;
  }

  private Map<QoS, Long> byQos(BiFunction<LaneCounters, QoS, Long> counter) {
    EnumMap<QoS, Long> out = new EnumMap<>(QoS.class);
    for (QoS q : QoS.values()) {
      out.put(q, sum(c -> counter.apply(c, q)));
    }
    return out;
  }

  long bytesSent() {
    return sum(LaneCounters::bytesSent);
  }

  long messagesDropped() {
    return sum(LaneCounters::messagesDropped);
  }

  long messagesDropped(DropReason reason) {
    return sum(c -> c.messagesDropped(reason));
  }

  long messagesQueued() {
    return sum(LaneCounters::messagesQueued);
  }

  private long sum(ToLongFunction<LaneCounters> counter) {
    long total = counter.applyAsLong(shared);
    for (LaneCounters c : lanes) {
      total += counter.applyAsLong(c);
    }
    return total;
  }
}
