package dev.quantscope.quant.ggml;

import dev.quantscope.tensor.DType;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

import static dev.quantscope.quant.ggml.GgmlFloats.putHalf;
import static dev.quantscope.quant.ggml.GgmlFloats.roundHalfAway;
import static dev.quantscope.quant.ggml.GgmlFloats.toHalf;

/**
 * Q8_0 ({@code quantize_row_q8_0_ref}): d = amax/127, q = roundf(x/d). Block: d, qs[32].
 *
 * <p>The block is done in vector lanes with the same float operations; only the rounding is rewritten. roundf
 * is {@code floor(|f| + 0.5)} with the sign of f; for |f| well below 2^23, as here (|x·id| ≤ amax·id ≈ 127),
 * that is {@code t + (|f| - t >= 0.5)} with {@code t = trunc(|f|)}, where the subtraction is exact. Blocks where
 * that bound need not hold (a NaN or infinity in the block, or an infinite 1/d) take the scalar path.
 */
final class Q8_0Quantizer extends GgmlQuantizer {
    private static final VectorSpecies<Float> F = QxLaneSearch.F;
    private static final VectorSpecies<Integer> I = F.vectorShape().withLanes(int.class);
    private static final VectorSpecies<Byte> B = VectorSpecies.of(byte.class, VectorShape.forBitSize(F.length() * 8));

    Q8_0Quantizer() { super(DType.Q8_0); }

    @Override
    void quantizeBlock(float[] x, int xo, byte[] y, int yo) {
        FloatVector amaxV = FloatVector.fromArray(F, x, xo).abs();
        for (int j = F.length(); j < 32; j += F.length()) amaxV = amaxV.max(FloatVector.fromArray(F, x, xo + j).abs());
        float amax = amaxV.reduceLanes(VectorOperators.MAX);
        float d = amax / 127;
        float id = d != 0f ? 1.0f / d : 0.0f;
        if (!Float.isFinite(amax) || !Float.isFinite(id)) {
            quantizeBlockScalar(x, xo, y, yo);
            return;
        }
        putHalf(y, yo, toHalf(d));
        for (int j = 0; j < 32; j += F.length()) {
            FloatVector f = FloatVector.fromArray(F, x, xo + j).mul(id);
            FloatVector a = f.abs();
            IntVector t = (IntVector) a.convert(VectorOperators.F2I, 0);
            FloatVector frac = a.sub((FloatVector) t.convert(VectorOperators.I2F, 0));
            IntVector q = t.add(1, frac.compare(VectorOperators.GE, 0.5f).cast(I));
            q = q.lanewise(VectorOperators.NEG, f.compare(VectorOperators.LT, 0f).cast(I));
            q.convertShape(VectorOperators.I2B, B, 0).reinterpretAsBytes().intoArray(y, yo + 2 + j);
        }
    }

    /** The reference loop, kept for the blocks the vector path leaves out (and as the tests' yardstick). */
    static void quantizeBlockScalar(float[] x, int xo, byte[] y, int yo) {
        float amax = 0f;
        for (int j = 0; j < 32; j++) amax = Math.max(amax, Math.abs(x[xo + j]));
        float d = amax / 127;
        float id = d != 0f ? 1.0f / d : 0.0f;
        putHalf(y, yo, toHalf(d));
        for (int j = 0; j < 32; j++) {
            y[yo + 2 + j] = (byte) (int) roundHalfAway(x[xo + j] * id);
        }
    }
}
