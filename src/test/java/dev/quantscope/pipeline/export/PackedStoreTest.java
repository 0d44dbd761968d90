package dev.quantscope.pipeline.export;

import dev.quantscope.format.safetensors.export.PackedLinearWeight;
import dev.quantscope.quant.job.Conversion;
import dev.quantscope.quant.scheme.IntegerScheme;
import dev.quantscope.quant.scheme.QuantScheme;
import dev.quantscope.quant.scheme.QuantizedTensor;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class PackedStoreTest {

    private static float[] randomValues(int n, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (rnd.nextGaussian() * 0.02 + (i % 7 == 0 ? 0.01 : 0));
        return x;
    }

    @Test
    void unpackReadsTheSchemesCodesForEveryWidth() {
        for (String id : new String[] {"int2-sym-g16-rtn", "int3-sym-g16-rtn", "int4-asym-g32-rtn", "int5-asym-row-mse",
                "int7-sym-g16-rtn", "int8-asym-g64-mse"}) {
            IntegerScheme s = (IntegerScheme) QuantScheme.parse(id);
            int rows = 5, cols = 100; // groups end short, codes cross byte boundaries
            QuantizedTensor q = s.quantize(randomValues(rows * cols, id.hashCode()), rows, cols);
            int[] codes = PackedStore.unpack(q.codes(), s.bits(), rows * cols);
            float[] expected = s.dequantize(q);
            int perRow = q.scales().length / rows;
            int group = s.granularity() instanceof dev.quantscope.quant.scheme.Granularity.Group g ? g.size() : cols;
            for (int i = 0; i < codes.length; i++) {
                int unit = (i / cols) * perRow + (i % cols) / group;
                int zero = s.symmetric() ? 1 << (s.bits() - 1) : (int) q.offsets()[unit];
                assertEquals(expected[i], (codes[i] - zero) * q.scales()[unit], id + " element " + i);
            }
        }
    }

    @Test
    void storedChunksLoadBackInTheSignedConventionAndOutputRowOrder() {
        IntegerScheme s = (IntegerScheme) QuantScheme.parse("int4-asym-g32-mse");
        int rows = 6, cols = 64;
        float[] x = randomValues(rows * cols, 7);
        PackedStore store = new PackedStore(s, rows, cols);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(store.byteSize());
            Conversion.Store asStore = store;
            // two chunks of rows, stored out of order as worker threads may
            for (int first : new int[] {4, 0}) {
                int count = first == 4 ? 2 : 4;
                float[] part = java.util.Arrays.copyOfRange(x, first * cols, (first + count) * cols);
                QuantizedTensor q = s.quantize(part, count, cols);
                asStore.store(first, q, s.dequantize(q), out);
            }
            PackedLinearWeight w = store.load(out, r -> rows - 1 - r); // reversed row order
            float[] whole = s.dequantize(s.quantize(x, rows, cols));
            for (int r = 0; r < rows; r++) {
                int src = rows - 1 - r;
                for (int c = 0; c < cols; c++) {
                    int g = c / 32;
                    float v = (w.codes()[r * cols + c] - w.zeroPoints()[r * 2 + g]) * w.scales()[r * 2 + g];
                    assertEquals(whole[src * cols + c], v, "row " + r + " column " + c);
                }
            }
        }
        IntegerScheme sym = (IntegerScheme) QuantScheme.parse("int8-sym-row-rtn");
        PackedStore symStore = new PackedStore(sym, 2, 8);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(symStore.byteSize());
            QuantizedTensor q = sym.quantize(randomValues(16, 3), 2, 8);
            ((Conversion.Store) symStore).store(0, q, sym.dequantize(q), out);
            assertNull(symStore.load(out, r -> r).zeroPoints());
            assertEquals(16 + 2 * 4, symStore.byteSize());
        }
    }
}
