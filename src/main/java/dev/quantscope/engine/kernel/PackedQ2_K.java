package dev.quantscope.engine.kernel;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.Arena;
import java.nio.ByteOrder;

import static dev.quantscope.engine.kernel.VectorKernels.F;
import static dev.quantscope.engine.kernel.VectorKernels.I;

/**
 * Q2_K with {@link PackedKernel#G} rows interleaved. Per block of 256 columns the group's stream holds the rows'
 * {@code d} and {@code dmin} as floats, the sixteen 4-bit scales and the sixteen 4-bit mins of each row as bytes
 * (sub-block j's G scales side by side), then the 2-bit codes, eight to a 16-bit lane: sub-block j (16 columns) is
 * one vector, whose lane 2i + h holds in bits 2k, 2k + 1 row i's column 2k + h, so that field takes the activation
 * pair k of the 16 columns. The codes keep the file's 2 bits: the stream is 104 bytes per row and block against the
 * file's 84.
 *
 * <p>A 16-bit lane sums a sub-block's 8 products of at most 3 · 127, so at most 3,048: exact (the per-row scale of
 * each 16 columns, not the lane's range, forces the widening once per sub-block). The row's integer is multiplied
 * by its scale in int lanes; the mins' part {@code Σ_j min_j · Σ a_j} is summed alongside from the activation's
 * 16-column sums, as ggml does, and both scaled once per block by {@code d · d_a} and {@code dmin · d_a}.
 */
final class PackedQ2_K extends PackedKernel {
    private static final long D = 0, DMIN = 4L * G, SCALES = 8L * G, MINS = 24L * G, CODES = 40L * G;
    /** One sub-block's codes: 16 columns of G rows at 2 bits. */
    private static final long SUB = 4L * G;
    static final long BLOCK = CODES + 16 * SUB;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    PackedQ2_K(RowKernel base, Arena arena) {
        super(base, arena);
    }


    /** The 2-bit code of column {@code col} of the block at {@code at} in row {@code q} (ggml's block_q2_K). */
    private static int code(byte[] q, int at, int col) {
        int g = col >>> 4, l = col & 15;
        return (u8(q, at + 16 + 32 * (g >>> 3) + 16 * (g & 1) + l) >>> 2 * ((g & 7) >>> 1)) & 3;
    }

    @Override
    void pack(byte[][] rows, byte[] out) {
        float[] d = new float[G], dmin = new float[G];
        int[] scales = new int[G], mins = new int[G];
        for (int b = 0; b < base.blocks; b++) {
            int at = Math.toIntExact(b * BLOCK), src = 84 * b;
            for (int i = 0; i < G; i++) {
                d[i] = half(rows[i], src + 80);
                dmin[i] = half(rows[i], src + 82);
            }
            putFloats(out, at + (int) D, d);
            putFloats(out, at + (int) DMIN, dmin);
            for (int j = 0; j < 16; j++) {
                for (int i = 0; i < G; i++) {
                    scales[i] = u8(rows[i], src + j) & 0xF;
                    mins[i] = u8(rows[i], src + j) >>> 4;
                }
                putBytes(out, at + (int) SCALES + G * j, scales);
                putBytes(out, at + (int) MINS + G * j, mins);
                for (int i = 0; i < G; i++) {
                    for (int h = 0; h < 2; h++) {
                        int lane = 0;
                        for (int k = 0; k < 8; k++) lane |= code(rows[i], src, 16 * j + 2 * k + h) << 2 * k;
                        int o = at + (int) (CODES + SUB * j) + 2 * (2 * i + h);
                        out[o] = (byte) lane;
                        out[o + 1] = (byte) (lane >>> 8);
                    }
                }
            }
        }
    }

    @Override
    void groupDot(Activation x, long at, float[] out, int off) {
        int[] pairs = x.qkPairs(), sums = x.qkSums();
        float[] yd = x.qkd();
        FloatVector acc = FloatVector.zero(F);
        ShortVector twoBits = ShortVector.broadcast(SHORTS, (short) 3);
        for (int b = 0; b < base.blocks; b++, at += BLOCK) {
            IntVector isum = IntVector.zero(I), msum = IntVector.zero(I);
            for (int j = 0; j < 16; j++) {
                int p = 128 * b + 8 * j;
                // Vector API calls only in this loop: C2 inlines the API's methods past its node budget, not ours.
                ShortVector v = ShortVector.fromMemorySegment(SHORTS, packed, at + CODES + SUB * j, LE);
                ShortVector s = v.and(twoBits).mul(IntVector.broadcast(I, pairs[p]).reinterpretAsShorts());
                s = s.add(v.lanewise(VectorOperators.LSHR, 2).and(twoBits).mul(IntVector.broadcast(I, pairs[p + 1]).reinterpretAsShorts()));
                s = s.add(v.lanewise(VectorOperators.LSHR, 4).and(twoBits).mul(IntVector.broadcast(I, pairs[p + 2]).reinterpretAsShorts()));
                s = s.add(v.lanewise(VectorOperators.LSHR, 6).and(twoBits).mul(IntVector.broadcast(I, pairs[p + 3]).reinterpretAsShorts()));
                s = s.add(v.lanewise(VectorOperators.LSHR, 8).and(twoBits).mul(IntVector.broadcast(I, pairs[p + 4]).reinterpretAsShorts()));
                s = s.add(v.lanewise(VectorOperators.LSHR, 10).and(twoBits).mul(IntVector.broadcast(I, pairs[p + 5]).reinterpretAsShorts()));
                s = s.add(v.lanewise(VectorOperators.LSHR, 12).and(twoBits).mul(IntVector.broadcast(I, pairs[p + 6]).reinterpretAsShorts()));
                s = s.add(v.lanewise(VectorOperators.LSHR, 14).mul(IntVector.broadcast(I, pairs[p + 7]).reinterpretAsShorts()));
                IntVector w = s.reinterpretAsInts();
                IntVector row = w.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                        .add(w.lanewise(VectorOperators.ASHR, 16));
                IntVector scale = (IntVector) ByteVector.fromMemorySegment(BG, packed, at + SCALES + (long) G * j, LE)
                        .convertShape(VectorOperators.B2I, I, 0);
                IntVector min = (IntVector) ByteVector.fromMemorySegment(BG, packed, at + MINS + (long) G * j, LE)
                        .convertShape(VectorOperators.B2I, I, 0);
                isum = isum.add(row.mul(scale));
                msum = msum.add(min.mul(sums[16 * b + j]));
            }
            float dy = yd[b];
            FloatVector d = FloatVector.fromMemorySegment(F, packed, at + D, LE).mul(dy);
            FloatVector dmin = FloatVector.fromMemorySegment(F, packed, at + DMIN, LE).mul(dy);
            acc = ((FloatVector) isum.convert(VectorOperators.I2F, 0)).fma(d, acc);
            acc = ((FloatVector) msum.convert(VectorOperators.I2F, 0)).mul(dmin).neg().add(acc);
        }
        acc.intoArray(out, off);
    }
}
