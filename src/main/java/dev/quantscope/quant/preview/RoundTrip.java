package dev.quantscope.quant.preview;

import dev.quantscope.quant.ggml.GgmlQuantizer;
import dev.quantscope.quant.scheme.Keep;
import dev.quantscope.quant.scheme.QuantScheme;
import dev.quantscope.tensor.DType;

/**
 * Quantize, then dequantize: the values a tensor holds after it has been stored under a {@link QuantScheme}. Block
 * types go through the byte-exact ggml quantizers and the ggml dequantizers (the scheme's {@code GgmlBlock}
 * codec), so the values are exactly the ones a quantized GGUF file would give back.
 */
public final class RoundTrip {
    private RoundTrip() {}

    /** {@code x} (whole rows of {@code rowLength}) as stored under {@code scheme} and read back. */
    public static float[] apply(QuantScheme scheme, float[] x, int rowLength) {
        if (scheme instanceof Keep) return x.clone();
        if (rowLength <= 0 || x.length % rowLength != 0) {
            throw new IllegalArgumentException(x.length + " values are not whole rows of " + rowLength);
        }
        return scheme.dequantize(scheme.quantize(x, x.length / rowLength, rowLength));
    }

    /** ggml's bytes for {@code x} under the block type {@code type}, for reading the stored fields back. */
    static byte[] quantize(DType type, float[] x, int rowLength) {
        if (rowLength % type.blockElements() != 0) {
            throw new IllegalArgumentException("rows of " + rowLength + " do not fit " + type);
        }
        long bytes = type.byteSize(x.length);
        if (bytes > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("too many values at once");
        byte[] out = new byte[(int) bytes];
        GgmlQuantizer.create(type).quantize(x, 0, x.length, out, 0);
        return out;
    }
}
