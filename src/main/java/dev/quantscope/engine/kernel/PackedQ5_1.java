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
 * Q5_1 with {@link PackedKernel#G} rows interleaved: per block of 32 columns, each row's 5-bit code minus 16 as a
 * signed byte, two per 16-bit lane ({@link PackedQ5_K#putBytePairs}), then the G rows' {@code d} and {@code m} as
 * floats. Codes -16..15 rather than the file's 0..31 let a 16-bit lane sum all 16 products of a block (at most
 * 16 · 127 each, 32,512 in all: exact); the offset comes back as {@code 16 · Σ a} added to the row's integer, which is
 * then ggml's. Each row's integer times {@code d_w · d_a} plus {@code m_w · s_a} is added to its float lane, as
 * {@code ggml_vec_dot_q5_1_q8_1} does.
 */
final class PackedQ5_1 extends PackedKernel {
    private static final long D = 32L * G, M = 36L * G, BLOCK = 40L * G;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    PackedQ5_1(RowKernel base, Arena arena) {
        super(base, BLOCK * (base.cols / 32), arena);
    }

    @Override
    void pack(byte[][] rows, byte[] out) {
        int[][] codes = new int[G][32];
        float[] d = new float[G], m = new float[G];
        for (int b = 0; b < base.blocks; b++) {
            int at = Math.toIntExact(b * BLOCK), src = 24 * b;
            for (int i = 0; i < G; i++) {
                d[i] = half(rows[i], src);
                m[i] = half(rows[i], src + 2);
                for (int j = 0; j < 32; j++) codes[i][j] = PackedQ5_0.code(rows[i], src + 4, j) - 16;
            }
            PackedQ5_K.putBytePairs(out, at, codes);
            putFloats(out, at + (int) D, d);
            putFloats(out, at + (int) M, m);
        }
    }

    @Override
    void groupDot(Activation x, long at, float[] out, int off) {
        int[] pairs = x.q8pairs(), sums = x.q8sum();
        float[] yd = x.q8d(), ys = x.q8s();
        FloatVector acc = FloatVector.zero(F);
        for (int b = 0; b < base.blocks; b++, at += BLOCK) {
            int p = 16 * b;
            // Vector API calls only in this loop: C2 inlines the API's methods past its node budget, not ours.
            // Low byte: shifted up and back arithmetically (sign-extended); high byte: shifted down arithmetically.
            ShortVector v = ShortVector.fromMemorySegment(SHORTS, packed, at, LE);
            ShortVector s = v.lanewise(VectorOperators.LSHL, 8).lanewise(VectorOperators.ASHR, 8)
                    .mul(IntVector.broadcast(I, pairs[p]).reinterpretAsShorts());
            s = s.add(v.lanewise(VectorOperators.ASHR, 8).mul(IntVector.broadcast(I, pairs[p + 1]).reinterpretAsShorts()));
            v = ShortVector.fromMemorySegment(SHORTS, packed, at + 4L * G, LE);
            s = s.add(v.lanewise(VectorOperators.LSHL, 8).lanewise(VectorOperators.ASHR, 8)
                    .mul(IntVector.broadcast(I, pairs[p + 2]).reinterpretAsShorts()));
            s = s.add(v.lanewise(VectorOperators.ASHR, 8).mul(IntVector.broadcast(I, pairs[p + 3]).reinterpretAsShorts()));
            v = ShortVector.fromMemorySegment(SHORTS, packed, at + 8L * G, LE);
            s = s.add(v.lanewise(VectorOperators.LSHL, 8).lanewise(VectorOperators.ASHR, 8)
                    .mul(IntVector.broadcast(I, pairs[p + 4]).reinterpretAsShorts()));
            s = s.add(v.lanewise(VectorOperators.ASHR, 8).mul(IntVector.broadcast(I, pairs[p + 5]).reinterpretAsShorts()));
            v = ShortVector.fromMemorySegment(SHORTS, packed, at + 12L * G, LE);
            s = s.add(v.lanewise(VectorOperators.LSHL, 8).lanewise(VectorOperators.ASHR, 8)
                    .mul(IntVector.broadcast(I, pairs[p + 6]).reinterpretAsShorts()));
            s = s.add(v.lanewise(VectorOperators.ASHR, 8).mul(IntVector.broadcast(I, pairs[p + 7]).reinterpretAsShorts()));
            v = ShortVector.fromMemorySegment(SHORTS, packed, at + 16L * G, LE);
            s = s.add(v.lanewise(VectorOperators.LSHL, 8).lanewise(VectorOperators.ASHR, 8)
                    .mul(IntVector.broadcast(I, pairs[p + 8]).reinterpretAsShorts()));
            s = s.add(v.lanewise(VectorOperators.ASHR, 8).mul(IntVector.broadcast(I, pairs[p + 9]).reinterpretAsShorts()));
            v = ShortVector.fromMemorySegment(SHORTS, packed, at + 20L * G, LE);
            s = s.add(v.lanewise(VectorOperators.LSHL, 8).lanewise(VectorOperators.ASHR, 8)
                    .mul(IntVector.broadcast(I, pairs[p + 10]).reinterpretAsShorts()));
            s = s.add(v.lanewise(VectorOperators.ASHR, 8).mul(IntVector.broadcast(I, pairs[p + 11]).reinterpretAsShorts()));
            v = ShortVector.fromMemorySegment(SHORTS, packed, at + 24L * G, LE);
            s = s.add(v.lanewise(VectorOperators.LSHL, 8).lanewise(VectorOperators.ASHR, 8)
                    .mul(IntVector.broadcast(I, pairs[p + 12]).reinterpretAsShorts()));
            s = s.add(v.lanewise(VectorOperators.ASHR, 8).mul(IntVector.broadcast(I, pairs[p + 13]).reinterpretAsShorts()));
            v = ShortVector.fromMemorySegment(SHORTS, packed, at + 28L * G, LE);
            s = s.add(v.lanewise(VectorOperators.LSHL, 8).lanewise(VectorOperators.ASHR, 8)
                    .mul(IntVector.broadcast(I, pairs[p + 14]).reinterpretAsShorts()));
            s = s.add(v.lanewise(VectorOperators.ASHR, 8).mul(IntVector.broadcast(I, pairs[p + 15]).reinterpretAsShorts()));
            IntVector w = s.reinterpretAsInts();
            IntVector row = w.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                    .add(w.lanewise(VectorOperators.ASHR, 16)).add(16 * sums[b]);
            FloatVector d = FloatVector.fromMemorySegment(F, packed, at + D, LE).mul(yd[b]);
            acc = ((FloatVector) row.convert(VectorOperators.I2F, 0)).fma(d, acc);
            acc = FloatVector.fromMemorySegment(F, packed, at + M, LE).fma(FloatVector.broadcast(F, ys[b]), acc);
        }
        acc.intoArray(out, off);
    }
}
