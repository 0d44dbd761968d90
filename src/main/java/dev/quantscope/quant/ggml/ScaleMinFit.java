package dev.quantscope.quant.ggml;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

import static dev.quantscope.quant.ggml.GgmlFloats.fromHalf;
import static dev.quantscope.quant.ggml.GgmlFloats.nearestInt;
import static dev.quantscope.quant.ggml.GgmlFloats.putHalf;
import static dev.quantscope.quant.ggml.GgmlFloats.toHalf;

/**
 * The part Q4_K and Q5_K share in ggml's reference quantizers: per group of 32, weights {@code sqrt(mean x²) + |x|}
 * and a {@code make_qkx2_quants} fit; then 6-bit scales and minimums against the largest of each, written as
 * d, dmin and the 12-byte table at the start of the block; then every level re-derived from the stored values
 * into {@link #levels} (0..nmax) for the caller to pack.
 */
final class ScaleMinFit {
    private static final VectorSpecies<Float> F = QxLaneSearch.F;
    /** Bytes, one per lane of {@link #F}. */
    private static final VectorSpecies<Byte> B = VectorSpecies.of(byte.class, VectorShape.forBitSize(F.length() * 8));
    /** 1.5 * 2^23, ggml's nearest_int trick (see {@link GgmlFloats#nearestInt}). */
    private static final float MAGIC = 12582912f;
    /** Blocks fitted at once: as many as the lane search has groups for. */
    static final int BLOCKS = Qkx2Search.GROUPS / 8;
    /** The levels of block k at [256 k, 256 k + 256). */
    final byte[] levels = new byte[256 * BLOCKS];
    private final float[] weights = new float[256 * BLOCKS];
    private final float[] mins = new float[8 * BLOCKS];
    private final float[] scales = new float[8 * BLOCKS];
    private final int[] ls = new int[8];
    private final int[] lm = new int[8];
    private final int nmax;
    private final Qkx2Search search;

    ScaleMinFit(int nmax, float rmin, float rdelta, int nstep) {
        this.nmax = nmax;
        this.search = new Qkx2Search(nmax, rmin, rdelta, nstep);
    }

    /**
     * Fits {@code blocks} (1..{@link #BLOCKS}) consecutive 256-element blocks at {@code x[xo]}; writes each one's
     * d, dmin, scales[12] at {@code y[yo + k * blockBytes]} and its levels to {@link #levels}.
     */
    void quantize(float[] x, int xo, int blocks, byte[] y, int yo, int blockBytes) {
        for (int j = 0; j < 8 * blocks; ++j) {
            int g = xo + 32 * j;
            float sumX2 = 0;
            for (int l = 0; l < 32; ++l) sumX2 += x[g + l] * x[g + l];
            float avX = (float) Math.sqrt(sumX2 / 32);
            for (int l = 0; l < 32; ++l) weights[32 * j + l] = avX + Math.abs(x[g + l]);
        }
        // all the groups' make_qkx2_quants at once, bit-identical to the scalar search
        search.search(x, xo, 8 * blocks, weights, levels, scales, mins);
        for (int k = 0; k < blocks; ++k) finishBlock(x, xo + 256 * k, y, yo + k * blockBytes, 8 * k, 256 * k);
    }

    /** One block's table and levels from its groups' fits at {@code scales[so..so+8)}, {@code mins[so..so+8)}. */
    private void finishBlock(float[] x, int xo, byte[] y, int yo, int so, int lo) {
        float maxScale = 0;
        float maxMin = 0;
        for (int j = 0; j < 8; ++j) {
            if (scales[so + j] > maxScale) maxScale = scales[so + j];
            if (mins[so + j] > maxMin) maxMin = mins[so + j];
        }

        float invScale = maxScale > 0 ? 63.f / maxScale : 0.f;
        float invMin = maxMin > 0 ? 63.f / maxMin : 0.f;
        for (int j = 0; j < 8; ++j) {
            // ggml stores nearest_int into a uint8_t before clamping to 63
            ls[j] = Math.min(63, nearestInt(invScale * scales[so + j]) & 0xFF);
            lm[j] = Math.min(63, nearestInt(invMin * mins[so + j]) & 0xFF);
        }
        KPacking.packScaleMin(ls, lm, y, yo + 4);
        short d = toHalf(maxScale / 63.f);
        short dmin = toHalf(maxMin / 63.f);
        putHalf(y, yo, d);
        putHalf(y, yo + 2, dmin);
        requantize(x, xo, y, yo, nmax, levels, lo);
    }

    /**
     * Re-derives every level (0..nmax) of the 256-element block at {@code x[xo]} from the d, dmin and 6-bit scale
     * table already written at {@code y[yo]}, as both of ggml's Q4_K/Q5_K quantizers finish. A group whose stored
     * scale is zero keeps the levels it has.
     */
    static void requantize(float[] x, int xo, byte[] y, int yo, int nmax, byte[] levels) {
        requantize(x, xo, y, yo, nmax, levels, 0);
    }

    /** The same, writing the block's levels from {@code levels[lo]}. */
    static void requantize(float[] x, int xo, byte[] y, int yo, int nmax, byte[] levels, int lo) {
        float dAll = fromHalf(GgmlFloats.getHalf(y, yo));
        float dminAll = fromHalf(GgmlFloats.getHalf(y, yo + 2));
        for (int j = 0; j < 8; ++j) {
            float dl = dAll * KPacking.scaleK4(j, y, yo + 4);
            if (dl == 0f) continue;
            float dm = dminAll * KPacking.minK4(j, y, yo + 4);
            // nearest_int((x + dm) / dl) clamped to [0, nmax]: lane-wise the same float operations
            FloatVector shift = FloatVector.broadcast(F, dm), divisor = FloatVector.broadcast(F, dl);
            for (int ii = 0; ii < 32; ii += F.length()) {
                FloatVector v = FloatVector.fromArray(F, x, xo + 32 * j + ii).add(shift).div(divisor).add(MAGIC);
                v.reinterpretAsInts().and(0x007fffff).sub(0x00400000).max(0).min(nmax)
                        .convertShape(VectorOperators.I2B, B, 0).reinterpretAsBytes().intoArray(levels, lo + 32 * j + ii);
            }
        }
    }
}
