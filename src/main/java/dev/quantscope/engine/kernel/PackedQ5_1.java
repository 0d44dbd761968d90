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
 * Q5_1 with {@link PackedKernel#G} rows interleaved: per block of 32 columns, the codes as {@link PackedQ5_K} lays
 * out a sub-block ({@link PackedQ5_K#putCodes}), then the G rows' {@code d} and {@code m} as floats. The products use
 * the codes minus 16 (-16..15), which lets a 16-bit lane sum all 16 products of a block (at most 16 · 127 each, 32,512
 * in all: exact); the offset comes back as {@code 16 · Σ a} added to the row's integer, which is then ggml's. Each
 * row's integer times {@code d_w · d_a} plus {@code m_w · s_a} is added to its float lane, as
 * {@code ggml_vec_dot_q5_1_q8_1} does.
 */
final class PackedQ5_1 extends PackedKernel {
    static final long D = 20L * G, M = 24L * G, BLOCK = 28L * G;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    PackedQ5_1(RowKernel base, Arena arena) {
        super(base, arena);
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
                for (int j = 0; j < 32; j++) codes[i][j] = PackedQ5_0.code(rows[i], src + 4, j);
            }
            PackedQ5_K.putCodes(out, at, codes);
            putFloats(out, at + (int) D, d);
            putFloats(out, at + (int) M, m);
        }
    }

    @Override
    void groupDot(Activation x, long at, float[] out, int off) {
        int[] pairs = x.q8pairs(), sums = x.q8sum();
        float[] yd = x.q8d(), ys = x.q8s();
        FloatVector acc = FloatVector.zero(F);
        ShortVector nibble = ShortVector.broadcast(SHORTS, (short) 0xF);
        for (int b = 0; b < base.blocks; b++, at += BLOCK) {
            int p = 16 * b;
            // Vector API calls only in this loop: C2 inlines the API's methods past its node budget, not ours.
            // Per pair: the nibble times it into s; the inverted fifth bit, moved to the top and spread over the
            // lane by an arithmetic shift (0 or -1), masks it into sn.
            ShortVector clear = ShortVector.fromMemorySegment(SHORTS, packed, at + 16L * G, LE);
            ShortVector s = ShortVector.zero(SHORTS), sn = ShortVector.zero(SHORTS), a;
            ShortVector v = ShortVector.fromMemorySegment(SHORTS, packed, at, LE);
            a = IntVector.broadcast(I, pairs[p]).reinterpretAsShorts();
            s = s.add(v.and(nibble).mul(a));
            sn = sn.add(clear.lanewise(VectorOperators.LSHL, 15).lanewise(VectorOperators.ASHR, 15).and(a));
            a = IntVector.broadcast(I, pairs[p + 1]).reinterpretAsShorts();
            s = s.add(v.lanewise(VectorOperators.LSHR, 4).and(nibble).mul(a));
            sn = sn.add(clear.lanewise(VectorOperators.LSHL, 14).lanewise(VectorOperators.ASHR, 15).and(a));
            a = IntVector.broadcast(I, pairs[p + 2]).reinterpretAsShorts();
            s = s.add(v.lanewise(VectorOperators.LSHR, 8).and(nibble).mul(a));
            sn = sn.add(clear.lanewise(VectorOperators.LSHL, 13).lanewise(VectorOperators.ASHR, 15).and(a));
            a = IntVector.broadcast(I, pairs[p + 3]).reinterpretAsShorts();
            s = s.add(v.lanewise(VectorOperators.LSHR, 12).mul(a));
            sn = sn.add(clear.lanewise(VectorOperators.LSHL, 12).lanewise(VectorOperators.ASHR, 15).and(a));
            v = ShortVector.fromMemorySegment(SHORTS, packed, at + 4L * G, LE);
            a = IntVector.broadcast(I, pairs[p + 4]).reinterpretAsShorts();
            s = s.add(v.and(nibble).mul(a));
            sn = sn.add(clear.lanewise(VectorOperators.LSHL, 11).lanewise(VectorOperators.ASHR, 15).and(a));
            a = IntVector.broadcast(I, pairs[p + 5]).reinterpretAsShorts();
            s = s.add(v.lanewise(VectorOperators.LSHR, 4).and(nibble).mul(a));
            sn = sn.add(clear.lanewise(VectorOperators.LSHL, 10).lanewise(VectorOperators.ASHR, 15).and(a));
            a = IntVector.broadcast(I, pairs[p + 6]).reinterpretAsShorts();
            s = s.add(v.lanewise(VectorOperators.LSHR, 8).and(nibble).mul(a));
            sn = sn.add(clear.lanewise(VectorOperators.LSHL, 9).lanewise(VectorOperators.ASHR, 15).and(a));
            a = IntVector.broadcast(I, pairs[p + 7]).reinterpretAsShorts();
            s = s.add(v.lanewise(VectorOperators.LSHR, 12).mul(a));
            sn = sn.add(clear.lanewise(VectorOperators.LSHL, 8).lanewise(VectorOperators.ASHR, 15).and(a));
            v = ShortVector.fromMemorySegment(SHORTS, packed, at + 8L * G, LE);
            a = IntVector.broadcast(I, pairs[p + 8]).reinterpretAsShorts();
            s = s.add(v.and(nibble).mul(a));
            sn = sn.add(clear.lanewise(VectorOperators.LSHL, 7).lanewise(VectorOperators.ASHR, 15).and(a));
            a = IntVector.broadcast(I, pairs[p + 9]).reinterpretAsShorts();
            s = s.add(v.lanewise(VectorOperators.LSHR, 4).and(nibble).mul(a));
            sn = sn.add(clear.lanewise(VectorOperators.LSHL, 6).lanewise(VectorOperators.ASHR, 15).and(a));
            a = IntVector.broadcast(I, pairs[p + 10]).reinterpretAsShorts();
            s = s.add(v.lanewise(VectorOperators.LSHR, 8).and(nibble).mul(a));
            sn = sn.add(clear.lanewise(VectorOperators.LSHL, 5).lanewise(VectorOperators.ASHR, 15).and(a));
            a = IntVector.broadcast(I, pairs[p + 11]).reinterpretAsShorts();
            s = s.add(v.lanewise(VectorOperators.LSHR, 12).mul(a));
            sn = sn.add(clear.lanewise(VectorOperators.LSHL, 4).lanewise(VectorOperators.ASHR, 15).and(a));
            v = ShortVector.fromMemorySegment(SHORTS, packed, at + 12L * G, LE);
            a = IntVector.broadcast(I, pairs[p + 12]).reinterpretAsShorts();
            s = s.add(v.and(nibble).mul(a));
            sn = sn.add(clear.lanewise(VectorOperators.LSHL, 3).lanewise(VectorOperators.ASHR, 15).and(a));
            a = IntVector.broadcast(I, pairs[p + 13]).reinterpretAsShorts();
            s = s.add(v.lanewise(VectorOperators.LSHR, 4).and(nibble).mul(a));
            sn = sn.add(clear.lanewise(VectorOperators.LSHL, 2).lanewise(VectorOperators.ASHR, 15).and(a));
            a = IntVector.broadcast(I, pairs[p + 14]).reinterpretAsShorts();
            s = s.add(v.lanewise(VectorOperators.LSHR, 8).and(nibble).mul(a));
            sn = sn.add(clear.lanewise(VectorOperators.LSHL, 1).lanewise(VectorOperators.ASHR, 15).and(a));
            a = IntVector.broadcast(I, pairs[p + 15]).reinterpretAsShorts();
            s = s.add(v.lanewise(VectorOperators.LSHR, 12).mul(a));
            sn = sn.add(clear.lanewise(VectorOperators.ASHR, 15).and(a));
            s = s.sub(sn.lanewise(VectorOperators.LSHL, 4));
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
