package org.ferrymq.engine;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * Breaks a layer rule on purpose, for {@code LayerRulesCatchViolationsTest}: an engine class
 * that uses a Netty type. Test code only; {@code LayersTest} never sees it.
 */
final class NettyInTheEngineFixture {
  private NettyInTheEngineFixture() {
  }

  static ByteBuf wrap(byte[] bytes) {
    return Unpooled.wrappedBuffer(bytes);
  }
}
