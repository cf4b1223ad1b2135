package org.ferrymq.codec;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.ferrymq.packet.ProtocolVersion;

/**
 * Coverage-guided fuzzing of the decoder in every protocol version: any bytes give packets that
 * round-trip, or the codec's malformed-packet error, within bounded time and allocation
 * ({@link DecoderContract}). The first input byte picks the connection's version (its value
 * modulo 3 indexes 3.1, 3.1.1, 5.0), the rest is what the peer sent; one target rather than one
 * per version, so that a mutation found in one version is tried in the others and a short run
 * pays for one JVM. Seeds and findings: MqttDecoderFuzzTestInputs/decode in the test resources.
 */
class MqttDecoderFuzzTest {
  private static final ProtocolVersion[] VERSIONS = ProtocolVersion.values();

  @FuzzTest(maxDuration = "15s")
  void decode(byte[] input) {
    if (input.length == 0) {
      return;
    }
    byte[] stream = java.util.Arrays.copyOfRange(input, 1, input.length);
    DecoderContract.check(stream, VERSIONS[(input[0] & 0xFF) % VERSIONS.length]);
  }

  /** @return a fuzz input: the version selector, then the stream */
  static byte[] input(ProtocolVersion version, byte[] stream) {
    byte[] input = new byte[stream.length + 1];
    input[0] = (byte) version.ordinal();
    System.arraycopy(stream, 0, input, 1, stream.length);
    return input;
  }
}
