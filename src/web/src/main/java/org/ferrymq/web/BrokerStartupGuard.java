package org.ferrymq.web;

import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.annotation.WebListener;
import org.ferrymq.ra.BrokerRuntime;

/**
 * Refuses to start the web module when the resource adapter's broker is not running, so the
 * server never serves a WebSocket endpoint, health or metrics without a broker behind them. The
 * adapter's own message, naming the invalid key, is repeated in the failure.
 */
@WebListener
public class BrokerStartupGuard implements ServletContextListener {

  @Override
  public void contextInitialized(ServletContextEvent event) {
    if (BrokerRuntime.current().isEmpty()) {
      throw new IllegalStateException("FerryMQ web module not started: "
          + BrokerRuntime.failure().orElse("the FerryMQ resource adapter is not running"));
    }
  }
}
