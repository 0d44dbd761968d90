package dev.quantscope.quant.ggml;

import dev.quantscope.tensor.DType;
import dev.quantscope.tensor.Decoders;
import dev.quantscope.tensor.ElementDecoder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ggml's importance-weighted quantizers. There are no reference bytes for them, so they are checked by what they
 * are for: the weighted error they minimise is lower than the reference quantizer's, heavier importance lowers
 * those columns' error, and the bytes are deterministic and independent of how rows are split into calls.
 */
class WeightedQuantizerTest {
    private static final int ROW = 512;
    private static final int ROWS = 96;

    /** Rows with some heavy-tailed values and a few outlier columns, like real weights. */
    private static float[] rows(long seed) {
        Random r = new Random(seed);
        float[] x = new float[ROW * ROWS];
        for (int i = 0; i < x.length; i++) {
            double g = r.nextGaussian();
            if (r.nextInt(50) == 0) g *= 6;
            x[i] = (float) (0.02 * g);
        }
        return x;
    }

    private static float[] roundTrip(GgmlQuantizer q, float[] x) {
        byte[] bytes = new byte[(int) q.byteSize(x.length)];
        q.quantize(x, 0, x.length, bytes, 0);
        float[] out = new float[x.length];
        ElementDecoder d = Decoders.find(q.type()).orElseThrow();
        d.decode(MemorySegment.ofArray(bytes), 0, out, 0, x.length);
        return out;
    }

    /**
     * The error each type's weighted search minimises (up to a constant per block): squared error weighted by
     * qw * sqrt(sigma2 + x²) — sigma2 the row's mean square for the 32-element types, the block's (× 2 except for
     * Q2_K) for the k-quants — and by qw alone for Q6_K.
     */
    private static double weightedError(DType type, float[] x, float[] y, float[] imp) {
        double total = 0;
        for (int r = 0; r < ROWS; r++) {
            int base = r * ROW;
            double rowMs = 0;
            for (int j = 0; j < ROW; j++) rowMs += (double) x[base + j] * x[base + j];
            rowMs /= ROW;
            int superBlock = type.blockElements() == 256 ? 256 : 32;
            for (int b = 0; b < ROW; b += superBlock) {
                double blockMs = 0;
                for (int j = 0; j < superBlock; j++) blockMs += (double) x[base + b + j] * x[base + b + j];
                blockMs /= superBlock;
                double sigma2 = switch (type) {
                    case Q4_0, Q4_1, Q5_0, Q5_1 -> rowMs;
                    case Q2_K -> blockMs;
                    default -> 2 * blockMs;
                };
                for (int j = 0; j < superBlock; j++) {
                    int i = base + b + j;
                    double xi = x[i];
                    double w = type == DType.Q6_K ? imp[b + j] : imp[b + j] * Math.sqrt(sigma2 + xi * xi);
                    double e = xi - y[i];
                    total += w * e * e;
                }
            }
        }
        return total;
    }

    private static float[] ones() {
        float[] imp = new float[ROW];
        Arrays.fill(imp, 1f);
        return imp;
    }

    @ParameterizedTest
    @EnumSource(names = {"Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K", "IQ4_NL"})
    void weightedErrorWithUniformImportanceIsBelowTheReferenceQuantizers(DType type) {
        float[] x = rows(11 + type.ordinal());
        float[] imp = ones();
        double weighted = weightedError(type, x, roundTrip(GgmlQuantizer.create(type, imp), x), imp);
        double reference = weightedError(type, x, roundTrip(GgmlQuantizer.create(type), x), imp);
        System.out.printf("%s: weighted error with uniform importance %.4g, reference quantizer %.4g (%.1f%%)%n",
                type, weighted, reference, 100 * (weighted - reference) / reference);
        assertTrue(weighted < reference, type + ": weighted " + weighted + " vs reference " + reference);
    }

    @ParameterizedTest
    @EnumSource(names = {"Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K", "IQ4_NL"})
    void heavyImportanceLowersThoseColumnsError(DType type) {
        float[] x = rows(101 + type.ordinal());
        float[] heavy = ones();
        boolean[] marked = new boolean[ROW];
        // one column in eight, spread over every group of 16, weighted 50×
        for (int j = 3; j < ROW; j += 8) {
            heavy[j] = 50f;
            marked[j] = true;
        }
        float[] plain = roundTrip(GgmlQuantizer.create(type, ones()), x);
        float[] weighted = roundTrip(GgmlQuantizer.create(type, heavy), x);
        double plainMarked = 0, weightedMarked = 0;
        for (int i = 0; i < x.length; i++) {
            if (!marked[i % ROW]) continue;
            plainMarked += sq(x[i] - plain[i]);
            weightedMarked += sq(x[i] - weighted[i]);
        }
        assertTrue(weightedMarked < 0.9 * plainMarked,
                type + ": heavy columns' error " + weightedMarked + " vs " + plainMarked + " with uniform importance");
    }

    private static double sq(double v) { return v * v; }

    @ParameterizedTest
    @EnumSource(names = {"Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K", "IQ4_NL"})
    void bytesAreDeterministicAndIndependentOfHowRowsAreSplit(DType type) {
        float[] x = rows(7);
        float[] imp = new float[ROW];
        Random r = new Random(3);
        for (int j = 0; j < ROW; j++) imp[j] = (float) Math.exp(r.nextGaussian());
        GgmlQuantizer q = GgmlQuantizer.create(type, imp);
        assertEquals(type, q.type());
        int rowBytes = (int) q.byteSize(ROW);
        byte[] whole = new byte[rowBytes * ROWS];
        q.quantize(x, 0, x.length, whole, 0);

        byte[] again = new byte[whole.length];
        GgmlQuantizer.create(type, imp).quantize(x, 0, x.length, again, 0);
        assertArrayEquals(whole, again);

        // row by row, at offsets, through the same instance (its scratch must not leak between rows)
        byte[] byRow = new byte[whole.length + 5];
        for (int row = ROWS - 1; row >= 0; row--) q.quantize(x, row * ROW, ROW, byRow, 5 + row * rowBytes);
        assertArrayEquals(whole, Arrays.copyOfRange(byRow, 5, byRow.length));

        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = arena.allocate(whole.length + 3);
            q.quantize(x, 0, x.length, seg, 3);
            assertArrayEquals(whole, seg.asSlice(3, whole.length).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
        }

        // and the weights matter: other importance gives other bytes
        float[] other = imp.clone();
        for (int j = 0; j < ROW; j += 2) other[j] *= 20;
        byte[] different = new byte[whole.length];
        GgmlQuantizer.create(type, other).quantize(x, 0, x.length, different, 0);
        assertFalse(Arrays.equals(whole, different));
    }

    @Test
    void callsMustCoverWholeRows() {
        GgmlQuantizer q = GgmlQuantizer.create(DType.Q4_K, ones());
        float[] x = rows(1);
        byte[] out = new byte[(int) q.byteSize(x.length)];
        assertThrows(IllegalArgumentException.class, () -> q.quantize(x, 0, 256, out, 0));
        assertThrows(IllegalArgumentException.class, () -> GgmlQuantizer.create(DType.Q4_K, new float[100]));
        float[] bad = ones();
        bad[7] = -1f;
        assertThrows(IllegalArgumentException.class, () -> GgmlQuantizer.create(DType.Q4_0, bad));
        bad[7] = Float.NaN;
        assertThrows(IllegalArgumentException.class, () -> GgmlQuantizer.create(DType.Q4_0, bad));
    }

    @Test
    void typesWhoseGgmlQuantizerIgnoresWeightsGetTheReferenceQuantizer() {
        float[] x = rows(5);
        for (DType type : new DType[] {DType.Q8_0, DType.TQ1_0, DType.TQ2_0}) {
            assertFalse(GgmlQuantizer.usesImportance(type));
            GgmlQuantizer weighted = GgmlQuantizer.create(type, ones());
            GgmlQuantizer plain = GgmlQuantizer.create(type);
            assertNotSame(weighted, plain);
            byte[] a = new byte[(int) plain.byteSize(x.length)];
            byte[] b = new byte[a.length];
            weighted.quantize(x, 0, x.length, a, 0);
            plain.quantize(x, 0, x.length, b, 0);
            assertArrayEquals(b, a, type.toString());
        }
        assertTrue(GgmlQuantizer.usesImportance(DType.Q4_K));
        // no importance: exactly the reference quantizer
        byte[] a = new byte[(int) DType.Q4_K.byteSize(x.length)];
        byte[] b = new byte[a.length];
        GgmlQuantizer.create(DType.Q4_K, null).quantize(x, 0, x.length, a, 0);
        GgmlQuantizer.create(DType.Q4_K).quantize(x, 0, x.length, b, 0);
        assertArrayEquals(b, a);
    }
}
