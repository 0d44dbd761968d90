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
 * Q5_0 with {@link PackedKernel#G} rows interleaved: per block of 32 columns, the codes as {@link PackedQ5_K} lays
 * out a sub-block (low nibbles in four chunks, then the inverted fifth bits: {@link PackedQ5_K#putCodes}), then the
 * G rows' scales as floats. The products are {@code (low - 16 · clear) · a}, ggml's codes minus 16 exactly: summed as
 * in PackedQ5_K, the block's 16 products per 16-bit lane, at most 16 · 127 each, stay within 32,512: exact. The
 * block's lanes are widened, each row's pair added, and the row's integer times {@code d_w · d_a} added to its float
 * lane.
 */
final class PackedQ5_0 extends PackedKernel {
    static final long D = 20L * G, BLOCK = 24L * G;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    PackedQ5_0(RowKernel base, Arena arena) {
        super(base, arena);
    }


    /** The 5-bit code (0..31) of column {@code j} of the block_q5_0 / block_q5_1 whose qh is at {@code qh}. */
    static int code(byte[] q, int qh, int j) {
        int bits = u8(q, qh) | u8(q, qh + 1) << 8 | u8(q, qh + 2) << 16 | u8(q, qh + 3) << 24;
        int v = u8(q, qh + 4 + (j & 15));
        return (j < 16 ? v & 0xF : v >>> 4) | ((bits >>> j) & 1) << 4;
    }

    @Override
    void pack(byte[][] rows, byte[] out) {
        int[][] codes = new int[G][32];
        float[] d = new float[G];
        for (int b = 0; b < base.blocks; b++) {
            int at = Math.toIntExact(b * BLOCK), src = 22 * b;
            for (int i = 0; i < G; i++) {
                d[i] = half(rows[i], src);
                for (int j = 0; j < 32; j++) codes[i][j] = code(rows[i], src + 2, j);
            }
            PackedQ5_K.putCodes(out, at, codes);
            putFloats(out, at + (int) D, d);
        }
    }

    @Override
    void groupDot(Activation x, long at, float[] out, int off) {
        int[] pairs = x.q8pairs();
        float[] yd = x.q8d();
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
                    .add(w.lanewise(VectorOperators.ASHR, 16));
            FloatVector d = FloatVector.fromMemorySegment(F, packed, at + D, LE).mul(yd[b]);
            acc = ((FloatVector) row.convert(VectorOperators.I2F, 0)).fma(d, acc);
        }
        acc.intoArray(out, off);
    }
}
