package org.ferrymq.transport.netty;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.lang.reflect.InvocationTargetException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The socket implementation behind a server: epoll where its native library loads, NIO
 * otherwise. Immutable.
 *
 * <p>Epoll is reached by reflection because the Netty BOM gives the native artifact runtime scope,
 * so its classes are not on the compile path; this also keeps the broker working where the native
 * jar is left out of a deployment.
 *
 * @param handlerFactory creates one I/O handler per event loop
 * @param serverChannelType the listening channel class matching the handler
 * @param isNative whether this is epoll
 */
record IoTransport(IoHandlerFactory handlerFactory, Class<? extends ServerChannel> serverChannelType,
    boolean isNative) {

  private static final Logger LOG = Logger.getLogger(IoTransport.class.getName());
  private static final String EPOLL = "io.netty.channel.epoll.";

  /** @return a fresh NIO transport */
  static IoTransport nio() {
    return new IoTransport(NioIoHandler.newFactory(), NioServerSocketChannel.class, false);
  }

  /** @return epoll when available, NIO otherwise */
  static IoTransport preferNative() {
    ClassLoader loader = IoTransport.class.getClassLoader();
    try {
      Class<?> epoll = Class.forName(EPOLL + "Epoll", true, loader);
      if (!(Boolean) epoll.getMethod("isAvailable").invoke(null)) {
        Object cause = epoll.getMethod("unavailabilityCause").invoke(null);
        LOG.log(Level.FINE, "epoll unavailable, using NIO", (Throwable) cause);
        return nio();
      }
      IoHandlerFactory factory = (IoHandlerFactory) Class.forName(EPOLL + "EpollIoHandler", true,
          loader).getMethod("newFactory").invoke(null);
      Class<? extends ServerChannel> channel =
          Class.forName(EPOLL + "EpollServerSocketChannel", true, loader)
              .asSubclass(ServerChannel.class);
      return new IoTransport(factory, channel, true);
    } catch (ClassNotFoundException | LinkageError e) {
      LOG.log(Level.FINE, "epoll classes not deployed, using NIO", e);
      return nio();
    } catch (NoSuchMethodException | IllegalAccessException | InvocationTargetException e) {
      LOG.log(Level.WARNING, "epoll present but unusable, using NIO", e);
      return nio();
    }
  }
}
