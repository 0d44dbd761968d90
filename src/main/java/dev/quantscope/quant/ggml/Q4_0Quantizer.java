package dev.quantscope.quant.ggml;

import dev.quantscope.tensor.DType;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

import static dev.quantscope.quant.ggml.GgmlFloats.putHalf;
import static dev.quantscope.quant.ggml.GgmlFloats.toHalf;

/**
 * Q4_0 ({@code quantize_row_q4_0_ref}): the signed value of largest magnitude maps to -8, d = max/-8, and
 * q = min(15, trunc(x/d + 8.5)). Block: d, qs[16] (element j in the low nibble, j+16 in the high nibble).
 *
 * <p>The block is done in vector lanes with the same float operations: the extreme is the first element whose
 * magnitude equals the largest (the scalar loop only moves on a strictly larger one), and the float-to-int
 * conversion truncates as C's does. Blocks with a NaN or infinity, or an infinite 1/d, take the scalar path.
 */
final class Q4_0Quantizer extends GgmlQuantizer {
    private static final VectorSpecies<Float> F = QxLaneSearch.F;
    private static final VectorSpecies<Integer> I = F.vectorShape().withLanes(int.class);
    private static final VectorSpecies<Byte> B = VectorSpecies.of(byte.class, VectorShape.forBitSize(F.length() * 8));

    Q4_0Quantizer() { super(DType.Q4_0); }

    @Override
    void quantizeBlock(float[] x, int xo, byte[] y, int yo) {
        FloatVector amaxV = FloatVector.fromArray(F, x, xo).abs();
        for (int j = F.length(); j < 32; j += F.length()) amaxV = amaxV.max(FloatVector.fromArray(F, x, xo + j).abs());
        float amax = amaxV.reduceLanes(VectorOperators.MAX);
        if (!Float.isFinite(amax)) {
            quantizeBlockScalar(x, xo, y, yo);
            return;
        }
        float max = 0f;
        if (amax > 0f) {
            for (int j = 0; ; j += F.length()) {
                VectorMask<Float> at = FloatVector.fromArray(F, x, xo + j).abs().compare(VectorOperators.EQ, amax);
                if (at.anyTrue()) {
                    max = x[xo + j + at.firstTrue()];
                    break;
                }
            }
        }
        float d = max / -8;
        float id = d != 0f ? 1.0f / d : 0.0f;
        if (!Float.isFinite(id)) {
            quantizeBlockScalar(x, xo, y, yo);
            return;
        }
        putHalf(y, yo, toHalf(d));
        for (int j = 0; j < 16; j += F.length()) {
            IntVector q0 = nibble(x, xo + j, id);
            IntVector q1 = nibble(x, xo + 16 + j, id);
            q0.or(q1.lanewise(VectorOperators.LSHL, 4))
                    .convertShape(VectorOperators.I2B, B, 0).reinterpretAsBytes().intoArray(y, yo + 2 + j);
        }
    }

    /** min(15, (int) (x * id + 8.5f)) for one vector of elements; the sums are never negative here. */
    private static IntVector nibble(float[] x, int at, float id) {
        FloatVector v = FloatVector.fromArray(F, x, at).mul(id).add(8.5f);
        return ((IntVector) v.convert(VectorOperators.F2I, 0)).min(15);
    }

    /** The reference loop, kept for the blocks the vector path leaves out (and as the tests' yardstick). */
    static void quantizeBlockScalar(float[] x, int xo, byte[] y, int yo) {
        float amax = 0f;
        float max = 0f;
        for (int j = 0; j < 32; j++) {
            float v = x[xo + j];
            if (amax < Math.abs(v)) {
                amax = Math.abs(v);
                max = v;
            }
        }
        float d = max / -8;
        float id = d != 0f ? 1.0f / d : 0.0f;
        putHalf(y, yo, toHalf(d));
        for (int j = 0; j < 16; j++) {
            float x0 = x[xo + j] * id;
            float x1 = x[xo + 16 + j] * id;
            // C truncates toward zero converting to int8_t; the sums are never negative here
            int q0 = Math.min(15, (int) (x0 + 8.5f));
            int q1 = Math.min(15, (int) (x1 + 8.5f));
            y[yo + 2 + j] = (byte) (q0 | (q1 << 4));
        }
    }
}
