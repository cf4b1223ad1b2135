package org.ferrymq.security.limit;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;
import org.ferrymq.transport.ConnectionAcceptor;
import org.ferrymq.transport.InboundHandler;
import org.ferrymq.transport.Transport;

/**
 * Puts a {@link ConnectionRateLimiter} in front of the broker: a connection over the limit of its
 * source address is closed before the engine sees it, and the refusal is logged naming the limit
 * and the peer (at most once a second, so a flood does not flood the log). Connections without a
 * peer address (in-process) are not limited. Thread-safe.
 */
public final class RateLimitedAcceptor implements ConnectionAcceptor {

  private static final Logger LOG = Logger.getLogger(RateLimitedAcceptor.class.getName());
  private static final long LOG_INTERVAL_NANOS = 1_000_000_000L;

  private static final InboundHandler DISCARD = new InboundHandler() {
    @Override
    public void onBytes(ByteBuffer data) {
      data.position(data.limit());
    }

    @Override
    public void onWritable() {
      // nothing is ever written to a refused connection
    }

    @Override
    public void onUnwritable() {
      // nothing is ever written to a refused connection
    }

    @Override
    public void onClosed() {
      // the engine never knew the connection
    }
  };

  private final ConnectionAcceptor delegate;
  private final ConnectionRateLimiter limiter;
  private final String limitName;
  private final AtomicLong refused = new AtomicLong();
  private final AtomicLong lastLogNanos = new AtomicLong(System.nanoTime() - LOG_INTERVAL_NANOS);

  /**
   * @param delegate the broker
   * @param limiter the per-address buckets
   * @param limitName how the limit is named in the log, e.g. the setting and its value
   */
  public RateLimitedAcceptor(ConnectionAcceptor delegate, ConnectionRateLimiter limiter,
      String limitName) {
    this.delegate = delegate;
    this.limiter = limiter;
    this.limitName = limitName;
  }

  @Override
  public InboundHandler accept(Transport transport) {
    InetSocketAddress peer = transport.info().remoteAddress();
    if (peer == null || peer.getAddress() == null || limiter.tryAcquire(peer.getAddress())) {
      return delegate.accept(transport);
    }
    long count = refused.incrementAndGet();
    long now = System.nanoTime();
    long last = lastLogNanos.get();
    if (now - last >= LOG_INTERVAL_NANOS && lastLogNanos.compareAndSet(last, now)) {
      LOG.warning(() -> "Connection rate limit " + limitName + " hit by " + peer.getAddress()
          .getHostAddress() + "; connection closed (" + count + " refused since start)");
    }
    transport.close();
    return DISCARD;
  }

  /** @return connections refused since start */
  public long refused() {
    return refused.get();
  }
}
