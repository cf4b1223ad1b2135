package org.ferrymq.bench;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * K idle clients: how fast they connect and how much resident memory the broker holds per
 * connection (VmRSS of {@code --broker-pid} before and after). TCP and TLS connections rotate
 * over loopback source addresses 127.0.0.1, 127.0.0.2, ... every {@code --per-address}
 * connections, so that K can exceed one address's ephemeral ports.
 */
final class Connections {
  private static final int IDLE_BUFFER = 64;
  private static final long SETTLE_MILLIS = 3_000;

  private final BenchOptions o;

  Connections(BenchOptions o) {
    this.o = o;
  }

  Result run() throws InterruptedException {
    Endpoint endpoint = o.endpoint();
    boolean loopback = o.host.startsWith("127.");
    String run = Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 24);
    List<BenchClient> clients = Collections.synchronizedList(new ArrayList<>(o.connections));
    AtomicInteger next = new AtomicInteger();
    AtomicInteger failed = new AtomicInteger();
    AtomicReference<String> firstError = new AtomicReference<>();
    long rssBefore = CpuMeter.residentKib(o.brokerPids);
    CpuMeter cpu = new CpuMeter(o.brokerPids);
    cpu.start();
    long t0 = System.nanoTime();
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < o.connectThreads; t++) {
      Thread th = new Thread(() -> {
        int i;
        while ((i = next.getAndIncrement()) < o.connections) {
          String local = loopback && !endpoint.isWebSocket() ? sourceAddress(i, o.perAddress)
              : null;
          try {
            clients.add(BenchClient.connect(endpoint, "idle-" + run + "-" + i, true, local,
                IDLE_BUFFER));
          } catch (IOException | RuntimeException e) {
            failed.incrementAndGet();
            firstError.compareAndSet(null, e.getMessage());
          }
        }
      }, "bench-connect-" + t);
      threads.add(th);
      th.start();
    }
    for (Thread th : threads) {
      th.join();
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    cpu.stop();
    Thread.sleep(SETTLE_MILLIS);
    long rssAfter = CpuMeter.residentKib(o.brokerPids);
    int connected = clients.size();
    Result r = new Result("connections", o.broker, endpoint.transport())
        .put("clients", connected)
        .put("failed", failed.get())
        .put("connects_per_s", connected / seconds, 0);
    if (rssBefore > 0 && rssAfter > 0 && connected > 0) {
      r.put("rss_before_kib", rssBefore).put("rss_after_kib", rssAfter)
          .put("kib_per_conn", (rssAfter - rssBefore) / (double) connected, 2);
    }
    cpu.addTo(r);
    if (firstError.get() != null) {
      r.put("errors", firstError.get());
    }
    // e.g. to inspect the broker's heap (jcmd <pid> GC.heap_info) with the clients connected
    Thread.sleep(o.holdSeconds * 1000L);
    synchronized (clients) {
      clients.forEach(BenchClient::close);
    }
    return r;
  }

  /** @return 127.0.0.1 for the first {@code perAddress} connections, then 127.0.0.2, ... */
  static String sourceAddress(int index, int perAddress) {
    int n = index / perAddress;
    if (n >= 254 * 254) {
      throw new IllegalArgumentException("too many connections for 127.0.x.y source addresses");
    }
    return "127.0." + (n / 254) + "." + (1 + n % 254);
  }
}
