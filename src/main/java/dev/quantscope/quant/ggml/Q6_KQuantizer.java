package dev.quantscope.quant.ggml;

import dev.quantscope.tensor.DType;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

import java.util.Arrays;

import static dev.quantscope.quant.ggml.GgmlFloats.fromHalf;
import static dev.quantscope.quant.ggml.GgmlFloats.nearestInt;
import static dev.quantscope.quant.ggml.GgmlFloats.putHalf;
import static dev.quantscope.quant.ggml.GgmlFloats.toHalf;

/**
 * Q6_K ({@code quantize_row_q6_K_ref}, which {@code quantize_q6_K} runs without an importance matrix): 16 groups
 * of 16 fitted with {@code make_qx_quants} (levels -32..31, x²-weighted), signed 8-bit group scales against the
 * group scale of largest magnitude (d = that scale / -128), levels re-derived from the stored scales.
 * Block: ql[128] (low nibbles), qh[64] (top two bits), scales[16], d.
 */
final class Q6_KQuantizer extends GgmlQuantizer {
    private static final int BLOCK_BYTES = 210;
    private static final VectorSpecies<Float> F = QxLaneSearch.F;
    /** Bytes, one per lane of {@link #F}. */
    private static final VectorSpecies<Byte> B = VectorSpecies.of(byte.class, VectorShape.forBitSize(F.length() * 8));
    /** 1.5 * 2^23, ggml's nearest_int trick (see {@link GgmlFloats#nearestInt}). */
    private static final float MAGIC = 12582912f;
    private final byte[] levels = new byte[256];
    private final float[] scales = new float[16];
    private final QxLaneSearch search = new QxLaneSearch(32);

    Q6_KQuantizer() { super(DType.Q6_K); }

    @Override
    void quantizeBlock(float[] x, int xo, byte[] y, int yo) {
        // all sixteen groups' make_qx_quants at once, bit-identical to the scalar search
        search.search(x, xo, levels, scales);
        encode(x, xo, scales, levels, y, yo);
    }

    /**
     * The end both of ggml's Q6_K quantizers share, given the 16 group scales and their levels: 8-bit scales
     * against the largest, levels re-derived from them, everything packed at {@code y[yo]}.
     */
    static void encode(float[] x, int xo, float[] scales, byte[] levels, byte[] y, int yo) {
        float maxScale = 0;
        float maxAbsScale = 0;
        for (int ib = 0; ib < 16; ++ib) {
            float scale = scales[ib];
            float absScale = Math.abs(scale);
            if (absScale > maxAbsScale) {
                maxAbsScale = absScale;
                maxScale = scale;
            }
        }

        if (maxAbsScale < ScaleSearch.GROUP_MAX_EPS) {
            Arrays.fill(y, yo, yo + BLOCK_BYTES, (byte) 0);
            putHalf(y, yo + 208, toHalf(0.f));
            return;
        }

        float iscale = -128.f / maxScale;
        short d = toHalf(1 / iscale);
        int sc = yo + 192;
        for (int ib = 0; ib < 16; ++ib) {
            y[sc + ib] = (byte) Math.min(127, nearestInt(iscale * scales[ib]));
        }

        float dAll = fromHalf(d);
        for (int j = 0; j < 16; ++j) {
            float dl = dAll * y[sc + j];
            if (dl == 0f) continue;
            // nearest_int(x / dl) clamped to [-32, 31], offset by 32: lane-wise the same float operations
            FloatVector divisor = FloatVector.broadcast(F, dl);
            for (int ii = 0; ii < 16; ii += F.length()) {
                FloatVector v = FloatVector.fromArray(F, x, xo + 16 * j + ii).div(divisor).add(MAGIC);
                v.reinterpretAsInts().and(0x007fffff).sub(0x00400000).max(-32).min(31).add(32)
                        .convertShape(VectorOperators.I2B, B, 0).reinterpretAsBytes().intoArray(levels, 16 * j + ii);
            }
        }

        int ql = yo;
        int qh = yo + 128;
        byte[] L = levels;
        for (int j = 0; j < 256; j += 128) {
            for (int l = 0; l < 32; ++l) {
                int q1 = L[j + l] & 0xF;
                int q2 = L[j + l + 32] & 0xF;
                int q3 = L[j + l + 64] & 0xF;
                int q4 = L[j + l + 96] & 0xF;
                y[ql + l] = (byte) (q1 | (q3 << 4));
                y[ql + l + 32] = (byte) (q2 | (q4 << 4));
                y[qh + l] = (byte) ((L[j + l] >> 4) | ((L[j + l + 32] >> 4) << 2) | ((L[j + l + 64] >> 4) << 4)
                        | ((L[j + l + 96] >> 4) << 6));
            }
            ql += 64;
            qh += 32;
        }
        putHalf(y, yo + 208, d);
    }
}
