package org.ferrymq.transport.netty;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.DefaultEventLoopGroup;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.local.LocalAddress;
import io.netty.channel.local.LocalChannel;
import io.netty.channel.local.LocalServerChannel;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.ferrymq.transport.TransportInfo;
import org.ferrymq.transport.TransportKind;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The order and batching of {@link NettyTransport}'s writes when the engine sends from its lanes'
 * threads, from the event loop, or from both in turn, over Netty's in-process channel.
 */
class NettyTransportTest {
  private final EventLoopGroup loops = new DefaultEventLoopGroup(2);
  private final ExecutorService lanes = Executors.newFixedThreadPool(3);
  private final ByteArrayOutputStream received = new ByteArrayOutputStream();
  private final AtomicInteger writes = new AtomicInteger();
  private Channel server;
  private Channel client;
  private NettyTransport transport;

  @BeforeEach
  void connect() throws Exception {
    LocalAddress address = new LocalAddress("transport-test-" + System.nanoTime());
    CompletableFuture<Channel> accepted = new CompletableFuture<>();
    new ServerBootstrap().group(loops).channel(LocalServerChannel.class)
        .childHandler(new ChannelInitializer<LocalChannel>() {
          @Override
          protected void initChannel(LocalChannel ch) {
            ch.pipeline().addLast(new ChannelOutboundHandlerAdapter() {
              @Override
              public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
                writes.incrementAndGet();
                ctx.write(msg, promise);
              }
            });
            accepted.complete(ch);
          }
        }).bind(address).sync();
    client = new Bootstrap().group(loops).channel(LocalChannel.class)
        .handler(new ChannelInboundHandlerAdapter() {
          @Override
          public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf buf = (ByteBuf) msg;
            byte[] bytes = new byte[buf.readableBytes()];
            buf.readBytes(bytes);
            buf.release();
            synchronized (received) {
              received.writeBytes(bytes);
            }
          }
        }).connect(address).sync().channel();
    server = accepted.get(5, TimeUnit.SECONDS);
    transport = new NettyTransport(server,
        new TransportInfo(TransportKind.TCP, null), 0, () -> { });
  }

  @AfterEach
  void close() throws Exception {
    lanes.shutdownNow();
    client.close();
    loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
  }

  @Test
  void packetsSentFromLanesAndTheLoopInTurnArriveInTheOrderSent() throws Exception {
    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    for (int i = 0; i < 3000; i++) {
      byte[] packet = packet(i);
      expected.writeBytes(packet);
      boolean flush = i % 7 == 6;
      Runnable send = () -> {
        transport.send(ByteBuffer.wrap(packet));
        if (flush) {
          transport.flush();
        }
      };
      // like a lane that runs on whichever thread finds it idle: one send at a time, in turn
      // on three threads and on the event loop
      if (i % 4 == 3) {
        server.eventLoop().submit(send).get(5, TimeUnit.SECONDS);
      } else {
        lanes.submit(send).get(5, TimeUnit.SECONDS);
      }
    }
    transport.flush();
    await().atMost(Duration.ofSeconds(10)).until(() -> receivedBytes().length == expected.size());
    assertArrayEquals(expected.toByteArray(), receivedBytes());
  }

  @Test
  void packetsSentFromAnotherThreadWhileTheLoopIsBusyReachItAsOneWrite() throws Exception {
    CountDownLatch busy = new CountDownLatch(1);
    server.eventLoop().execute(() -> {
      try {
        busy.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    for (int i = 0; i < 50; i++) {
      byte[] packet = packet(i);
      expected.writeBytes(packet);
      transport.send(ByteBuffer.wrap(packet));
    }
    transport.flush();
    busy.countDown();

    await().atMost(Duration.ofSeconds(10)).until(() -> receivedBytes().length == expected.size());
    assertArrayEquals(expected.toByteArray(), receivedBytes());
    assertEquals(1, writes.get(), "fifty packets from a lane's thread, one write on the loop");
  }

  private byte[] receivedBytes() {
    synchronized (received) {
      return received.toByteArray();
    }
  }

  /** @return a few bytes that tell packet {@code i} from its neighbours, of varying length */
  private static byte[] packet(int i) {
    byte[] bytes = new byte[1 + i % 13];
    for (int j = 0; j < bytes.length; j++) {
      bytes[j] = (byte) (i * 31 + j);
    }
    return bytes;
  }
}
