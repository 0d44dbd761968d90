package dev.quantscope.cli;

import dev.quantscope.engine.kernel.Activation;
import dev.quantscope.engine.kernel.Kernels;
import dev.quantscope.quant.ggml.GgmlQuantizer;
import dev.quantscope.tensor.DType;
import dev.quantscope.tensor.Layouts;
import dev.quantscope.tensor.Shape;
import dev.quantscope.tensor.TensorInfo;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;

/**
 * Random weight matrices in any kernel dtype, for {@code bench kernels} (and the kernel tests): Gaussian weights
 * with a few heavy outliers (like real projection matrices), stored as ggml's quantizers would write them, in an
 * arena. It quantizes, so it lives above the engine, with the bench that needs it.
 */
public final class SyntheticWeights {
    private SyntheticWeights() {}

    /** A {@code rows × cols} matrix of {@code type} in GGUF layout (ne = [cols, rows]), allocated in {@code arena}. */
    public static TensorInfo matrix(Arena arena, DType type, int rows, int cols, long seed) {
        if (!Kernels.supports(type)) throw new IllegalArgumentException("no kernel for " + type);
        long n = Math.multiplyExact((long) rows, cols);
        long bytes = type.byteSize(n);
        MemorySegment seg = arena.allocate(bytes, 64);
        Random rnd = new Random(seed);
        float[] row = new float[cols];
        GgmlQuantizer q = type.isBlockQuantized() ? GgmlQuantizer.create(type) : null;
        long rowBytes = type.byteSize(cols);
        for (int r = 0; r < rows; r++) {
            fill(row, rnd);
            long at = r * rowBytes;
            switch (type) {
                case F32 -> MemorySegment.copy(row, 0, seg, Layouts.F32, at, cols);
                case F16 -> {
                    for (int i = 0; i < cols; i++) seg.set(Layouts.I16, at + 2L * i, Float.floatToFloat16(row[i]));
                }
                case BF16 -> {
                    for (int i = 0; i < cols; i++) {
                        float b = Activation.roundToBFloat16(row[i]);
                        seg.set(Layouts.I16, at + 2L * i, (short) (Float.floatToRawIntBits(b) >>> 16));
                    }
                }
                default -> q.quantize(row, 0, cols, seg, at);
            }
        }
        return new TensorInfo("synthetic." + type, Shape.ggml(cols, rows), type, bytes, seg);
    }

    /** Gaussian values of scale 0.02 with one in 200 scaled up 10×. */
    public static void fill(float[] v, Random rnd) {
        for (int i = 0; i < v.length; i++) {
            float g = (float) rnd.nextGaussian() * 0.02f;
            v[i] = rnd.nextInt(200) == 0 ? g * 10 : g;
        }
    }
}
