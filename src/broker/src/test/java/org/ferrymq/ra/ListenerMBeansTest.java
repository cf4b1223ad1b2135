package org.ferrymq.ra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import javax.management.ObjectName;
import org.ferrymq.transport.netty.ListenerSettings;
import org.junit.jupiter.api.Test;

class ListenerMBeansTest {

  private final MBeanServer mbeanServer = MBeanServerFactory.newMBeanServer();
  private final ListenerMBeans sut = new ListenerMBeans(mbeanServer);
  private final ListenerControl tcp =
      new ListenerControl("mqtt", null, ListenerSettings.tcp("*", 1883));

  @Test
  void registersEachListenerUnderItsNameAndUnregistersAtStop() throws Exception {
    ObjectName name = new ObjectName("org.ferrymq:type=Listener,name=mqtt");

    sut.register(List.of(tcp));

    assertTrue(mbeanServer.isRegistered(name));
    assertEquals(1883, mbeanServer.getAttribute(name, "Port"));

    sut.unregisterAll();
    sut.unregisterAll();

    assertFalse(mbeanServer.isRegistered(name));
  }

  @Test
  void replacesAStaleMBeanOfTheSameName() throws Exception {
    ListenerMBeans stale = new ListenerMBeans(mbeanServer);
    stale.register(List.of(new ListenerControl("mqtt", null,
        ListenerSettings.tcp("*", 1))));

    sut.register(List.of(tcp));

    assertEquals(1883, mbeanServer.getAttribute(ListenerMBeans.nameOf(tcp), "Port"));
  }
}
