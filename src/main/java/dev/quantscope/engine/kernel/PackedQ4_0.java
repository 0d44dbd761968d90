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
 * Q4_0 with {@link PackedKernel#G} rows interleaved: per block of 32 columns, the group's codes as four vectors of
 * 16-bit lanes (four nibbles each, see {@link PackedKernel#putNibbles}), then the G rows' scales as floats. The codes
 * stay unsigned (0..15); ggml's offset of 8 comes off once per block as {@code 8 · Σ a}. A 16-bit lane sums 16
 * products of at most 15 · 127, so at most 30,480: exact. The block's 32 lanes are then widened, each row's pair of
 * lanes added, and the row's integer times {@code d_w · d_a} added to its float lane.
 */
final class PackedQ4_0 extends PackedKernel {
    static final long BLOCK = 20L * G;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    PackedQ4_0(RowKernel base, Arena arena) {
        super(base, arena);
    }


    @Override
    void pack(byte[][] rows, byte[] out) {
        int[][] codes = new int[G][32];
        float[] d = new float[G];
        for (int b = 0; b < base.blocks; b++) {
            int at = Math.toIntExact(b * BLOCK), src = 18 * b;
            for (int i = 0; i < G; i++) {
                d[i] = half(rows[i], src);
                for (int j = 0; j < 16; j++) {
                    int v = u8(rows[i], src + 2 + j);
                    codes[i][j] = v & 0xF;
                    codes[i][j + 16] = v >>> 4;
                }
            }
            putNibbles(out, at, codes);
            putFloats(out, at + 16 * G, d);
        }
    }

    @Override
    void groupDot(Activation x, long at, float[] out, int off) {
        int[] pairs = x.q8pairs(), sums = x.q8sum();
        float[] yd = x.q8d();
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
            // row i's block integer: its even lane plus its odd lane (the low and high halves of int lane i)
            IntVector w = s.reinterpretAsInts();
            IntVector row = w.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                    .add(w.lanewise(VectorOperators.ASHR, 16)).sub(8 * sums[b]);
            FloatVector scale = FloatVector.fromMemorySegment(F, packed, at + 16L * G, LE).mul(yd[b]);
            acc = ((FloatVector) row.convert(VectorOperators.I2F, 0)).fma(scale, acc);
        }
        acc.intoArray(out, off);
    }
}
