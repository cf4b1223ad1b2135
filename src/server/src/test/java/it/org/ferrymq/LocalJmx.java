package it.org.ferrymq;

import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import javax.management.JMException;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/**
 * Liberty's local JMX connector (feature localConnector-1.0): only the same user on the same
 * machine can attach, through the address the server writes under its logs. Also stops and
 * starts an application through its {@code ApplicationMBean}, as an administrator would.
 */
final class LocalJmx {

  private LocalJmx() {
  }

  /** @return a connection to the server whose directory that is */
  static JMXConnector connect(Path serverDir) throws Exception {
    String address = Files.readString(
        serverDir.resolve("logs/state/com.ibm.ws.jmx.local.address")).trim();
    return JMXConnectorFactory.connect(new JMXServiceURL(address));
  }

  /** Stops the application and waits until Liberty reports it STOPPED. */
  static void stopApplication(MBeanServerConnection server, String name) throws Exception {
    ObjectName application = application(name);
    server.invoke(application, "stop", null, null);
    awaitState(server, application, "STOPPED");
  }

  /** Starts the application and waits until Liberty reports it STARTED. */
  static void startApplication(MBeanServerConnection server, String name) throws Exception {
    ObjectName application = application(name);
    server.invoke(application, "start", null, null);
    awaitState(server, application, "STARTED");
  }

  private static ObjectName application(String name) throws JMException {
    return new ObjectName(
        "WebSphere:service=com.ibm.websphere.application.ApplicationMBean,name=" + name);
  }

  private static void awaitState(MBeanServerConnection server, ObjectName application,
      String state) {
    await(application + " " + state).atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> state.equals(server.getAttribute(application, "State")));
  }
}
