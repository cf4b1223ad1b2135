package org.ferrymq.web.security;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Verification keys loaded on first use and kept: for a JWKS URL, loaded again once older than
 * the refresh interval, or when a token names a key id they lack (a rotated key), at most once
 * per forced-refresh interval. Callers that need a load while one runs wait for it and share its
 * result or its failure (single flight), so a hundred logins arriving while the keys are stale
 * cost one fetch, not a hundred. A failed load is not kept: the next caller tries again.
 *
 * <p>Thread-safe: the keys are replaced atomically; a load runs on the thread of the caller that
 * started it, the others block until it ends (the loader's own timeouts bound that).
 *
 * @param <K> the loaded keys
 */
final class KeyCache<K> {

  private final Supplier<K> loader;
  private final long refreshNanos;
  private final long forcedRefreshNanos;
  private final LongSupplier nanoTime;
  private final AtomicReference<CompletableFuture<Loaded<K>>> inFlight = new AtomicReference<>();
  private volatile Loaded<K> current;

  private record Loaded<K>(K keys, long loadedAtNanos) {
  }

  /**
   * @param loader loads the keys; throws (a {@link RuntimeException}) when it cannot
   * @param refreshNanos age after which the keys are loaded again; 0 for never
   * @param forcedRefreshNanos least age at which an unknown key id loads them again; 0 for never
   * @param nanoTime the monotonic clock; tests pass a controllable one
   */
  KeyCache(Supplier<K> loader, long refreshNanos, long forcedRefreshNanos,
      LongSupplier nanoTime) {
    this.loader = loader;
    this.refreshNanos = refreshNanos;
    this.forcedRefreshNanos = forcedRefreshNanos;
    this.nanoTime = nanoTime;
  }

  /** @return the keys, loaded (or shared from a load under way) when missing or stale */
  K keys() {
    Loaded<K> seen = current;
    if (seen != null && (refreshNanos == 0 || age(seen) < refreshNanos)) {
      return seen.keys();
    }
    return load(seen).keys();
  }

  /**
   * A token named a key id that {@code lacking} does not hold.
   *
   * @return newer keys: loaded again unless that happened less than the forced-refresh interval
   *     ago, in which case the current ones
   */
  K keysWithout(K lacking) {
    Loaded<K> seen = current;
    if (seen == null || seen.keys() != lacking || forcedRefreshNanos == 0
        || age(seen) < forcedRefreshNanos) {
      return seen == null ? keys() : seen.keys();
    }
    return load(seen).keys();
  }

  private long age(Loaded<K> loaded) {
    return nanoTime.getAsLong() - loaded.loadedAtNanos();
  }

  /** Loads, or waits for the load under way; {@code seen} is what the caller found. */
  private Loaded<K> load(Loaded<K> seen) {
    CompletableFuture<Loaded<K>> mine = new CompletableFuture<>();
    CompletableFuture<Loaded<K>> running = inFlight.compareAndExchange(null, mine);
    if (running != null) {
      return await(running);
    }
    try {
      Loaded<K> now = current;
      if (now != seen && now != null) {
        // Another load ended between the caller's look and this one
        mine.complete(now);
        return now;
      }
      Loaded<K> loaded = new Loaded<>(loader.get(), nanoTime.getAsLong());
      current = loaded;
      mine.complete(loaded);
      return loaded;
    } catch (RuntimeException | Error e) {
      mine.completeExceptionally(e);
      throw e;
    } finally {
      inFlight.compareAndSet(mine, null);
    }
  }

  private static <K> Loaded<K> await(CompletableFuture<Loaded<K>> running) {
    try {
      return running.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException cause) {
        throw cause;
      }
      if (e.getCause() instanceof Error cause) {
        throw cause;
      }
      throw e;
    }
  }
}
