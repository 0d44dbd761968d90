package dev.quantscope.engine.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.Arena;
import java.nio.ByteOrder;

import static dev.quantscope.engine.kernel.VectorKernels.F;
import static dev.quantscope.engine.kernel.VectorKernels.I;

/**
 * Q4_1 with {@link PackedKernel#G} rows interleaved: per block of 32 columns, the group's codes as in
 * {@link PackedQ4_0} (four vectors of 16-bit lanes, four nibbles each), then the G rows' {@code d} and {@code m} as
 * floats. A 16-bit lane sums 16 products of at most 15 · 127, so at most 30,480: exact. Each row's integer times
 * {@code d_w · d_a} plus {@code m_w · s_a} (the activation's F16-rounded {@code d · Σ a}, ggml's Q8_1 {@code s}) is
 * added to its float lane, as {@code ggml_vec_dot_q4_1_q8_1} does.
 */
final class PackedQ4_1 extends PackedKernel {
    static final long D = 16L * G, M = 20L * G, BLOCK = 24L * G;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    PackedQ4_1(RowKernel base, Arena arena) {
        super(base, arena);
    }


    @Override
    void pack(byte[][] rows, byte[] out) {
        int[][] codes = new int[G][32];
        float[] d = new float[G], m = new float[G];
        for (int b = 0; b < base.blocks; b++) {
            int at = Math.toIntExact(b * BLOCK), src = 20 * b;
            for (int i = 0; i < G; i++) {
                d[i] = half(rows[i], src);
                m[i] = half(rows[i], src + 2);
                for (int j = 0; j < 16; j++) {
                    int v = u8(rows[i], src + 4 + j);
                    codes[i][j] = v & 0xF;
                    codes[i][j + 16] = v >>> 4;
                }
            }
            putNibbles(out, at, codes);
            putFloats(out, at + (int) D, d);
            putFloats(out, at + (int) M, m);
        }
    }

    @Override
    void groupDot(Activation x, long at, float[] out, int off) {
        int[] pairs = x.q8pairs();
        float[] yd = x.q8d(), ys = x.q8s();
        FloatVector acc = FloatVector.zero(F);
        ShortVector nibble = ShortVector.broadcast(SHORTS, (short) 0xF);
        for (int b = 0; b < base.blocks; b++, at += BLOCK) {
            int p = 16 * b;
            // Vector API calls only in this loop: C2 inlines the API's methods past its node budget, not ours.
            ShortVector v = ShortVector.fromMemorySegment(SHORTS, packed, at, LE);
            ShortVector s = v.and(nibble).mul(IntVector.broadcast(I, pairs[p]).reinterpretAsShorts());
            s = s.add(v.lanewise(VectorOperators.LSHR, 4).and(nibble).mul(IntVector.broadcast(I, pairs[p + 1]).reinterpretAsShorts()));
            s = s.add(v.lanewise(VectorOperators.LSHR, 8).and(nibble).mul(IntVector.broadcast(I, pairs[p + 2]).reinterpretAsShorts()));
            s = s.add(v.lanewise(VectorOperators.LSHR, 12).mul(IntVector.broadcast(I, pairs[p + 3]).reinterpretAsShorts()));
            v = ShortVector.fromMemorySegment(SHORTS, packed, at + 4L * G, LE);
            s = s.add(v.and(nibble).mul(IntVector.broadcast(I, pairs[p + 4]).reinterpretAsShorts()));
            s = s.add(v.lanewise(VectorOperators.LSHR, 4).and(nibble).mul(IntVector.broadcast(I, pairs[p + 5]).reinterpretAsShorts()));
            s = s.add(v.lanewise(VectorOperators.LSHR, 8).and(nibble).mul(IntVector.broadcast(I, pairs[p + 6]).reinterpretAsShorts()));
            s = s.add(v.lanewise(VectorOperators.LSHR, 12).mul(IntVector.broadcast(I, pairs[p + 7]).reinterpretAsShorts()));
            v = ShortVector.fromMemorySegment(SHORTS, packed, at + 8L * G, LE);
            s = s.add(v.and(nibble).mul(IntVector.broadcast(I, pairs[p + 8]).reinterpretAsShorts()));
            s = s.add(v.lanewise(VectorOperators.LSHR, 4).and(nibble).mul(IntVector.broadcast(I, pairs[p + 9]).reinterpretAsShorts()));
            s = s.add(v.lanewise(VectorOperators.LSHR, 8).and(nibble).mul(IntVector.broadcast(I, pairs[p + 10]).reinterpretAsShorts()));
            s = s.add(v.lanewise(VectorOperators.LSHR, 12).mul(IntVector.broadcast(I, pairs[p + 11]).reinterpretAsShorts()));
            v = ShortVector.fromMemorySegment(SHORTS, packed, at + 12L * G, LE);
            s = s.add(v.and(nibble).mul(IntVector.broadcast(I, pairs[p + 12]).reinterpretAsShorts()));
            s = s.add(v.lanewise(VectorOperators.LSHR, 4).and(nibble).mul(IntVector.broadcast(I, pairs[p + 13]).reinterpretAsShorts()));
            s = s.add(v.lanewise(VectorOperators.LSHR, 8).and(nibble).mul(IntVector.broadcast(I, pairs[p + 14]).reinterpretAsShorts()));
            s = s.add(v.lanewise(VectorOperators.LSHR, 12).mul(IntVector.broadcast(I, pairs[p + 15]).reinterpretAsShorts()));
            IntVector w = s.reinterpretAsInts();
            IntVector row = w.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                    .add(w.lanewise(VectorOperators.ASHR, 16));
            FloatVector d = FloatVector.fromMemorySegment(F, packed, at + D, LE).mul(yd[b]);
            acc = ((FloatVector) row.convert(VectorOperators.I2F, 0)).fma(d, acc);
            acc = FloatVector.fromMemorySegment(F, packed, at + M, LE).fma(FloatVector.broadcast(F, ys[b]), acc);
        }
        acc.intoArray(out, off);
    }
}
