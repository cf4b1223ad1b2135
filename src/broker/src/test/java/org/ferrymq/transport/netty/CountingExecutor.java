package org.ferrymq.transport.netty;

import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;

/** Runs each task on a new thread, as a work manager would, and counts the tasks still running. */
final class CountingExecutor implements Executor {

  final AtomicInteger started = new AtomicInteger();
  final AtomicInteger running = new AtomicInteger();

  @Override
  public void execute(Runnable task) {
    int number = started.incrementAndGet();
    running.incrementAndGet();
    Thread thread = new Thread(() -> {
      try {
        task.run();
      } finally {
        running.decrementAndGet();
      }
    }, "test-io-" + number);
    thread.setDaemon(true);
    thread.start();
  }
}
