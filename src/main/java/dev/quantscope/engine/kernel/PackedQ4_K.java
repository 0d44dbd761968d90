package dev.quantscope.engine.kernel;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

import static dev.quantscope.engine.kernel.VectorKernels.F;
import static dev.quantscope.engine.kernel.VectorKernels.I;

/**
 * Q4_K with {@link PackedKernel#G} rows interleaved (ggml's {@code q4_Kx8} idea). Per block of 256 columns the group's
 * stream holds: the rows' {@code d} and {@code dmin} as floats, the eight 6-bit scales and the eight 6-bit mins of
 * each row as bytes (sub-block j's G scales side by side, so one load widens to G int lanes), then the eight
 * sub-blocks' codes as in {@link PackedQ4_0}. Per sub-block a 16-bit lane sums 16 products of at most 15 · 127
 * (30,480: exact), the row's pair of lanes is widened and multiplied by the row's scale in int lanes, and the mins'
 * part {@code Σ_j min_j · Σ a_j} is summed alongside from the activation's 32-column sums: all of it ggml's integers,
 * scaled once per block by {@code d · d_a} and {@code dmin · d_a}.
 */
final class PackedQ4_K extends PackedKernel {
    private static final long D = 0, DMIN = 4L * G, SCALES = 8L * G, MINS = 16L * G, CODES = 24L * G;
    /** One sub-block's codes: 32 columns of G rows at 4 bits. */
    private static final long SUB = 16L * G;
    static final long BLOCK = CODES + 8 * SUB;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    PackedQ4_K(RowKernel base, Arena arena) {
        super(base, arena);
    }


    @Override
    void pack(byte[][] rows, byte[] out) {
        int[][] codes = new int[G][32];
        int[] scales = new int[G], mins = new int[G];
        float[] d = new float[G], dmin = new float[G];
        for (int b = 0; b < base.blocks; b++) {
            int at = Math.toIntExact(b * BLOCK), src = 144 * b;
            for (int i = 0; i < G; i++) {
                d[i] = half(rows[i], src);
                dmin[i] = half(rows[i], src + 2);
            }
            putFloats(out, at + (int) D, d);
            putFloats(out, at + (int) DMIN, dmin);
            for (int j = 0; j < 8; j++) {
                for (int i = 0; i < G; i++) {
                    MemorySegment row = MemorySegment.ofArray(rows[i]);
                    scales[i] = ScalarKernels.kScale(row, src + 4, j);
                    mins[i] = ScalarKernels.kMin(row, src + 4, j);
                }
                putBytes(out, at + (int) SCALES + G * j, scales);
                putBytes(out, at + (int) MINS + G * j, mins);
                // sub-block j = 2c + h: run c's low (h = 0) or high (h = 1) nibbles
                int c = j >>> 1, shift = 4 * (j & 1);
                for (int i = 0; i < G; i++) {
                    for (int l = 0; l < 32; l++) codes[i][l] = (u8(rows[i], src + 16 + 32 * c + l) >>> shift) & 0xF;
                }
                putNibbles(out, at + (int) (CODES + SUB * j), codes);
            }
        }
    }

    @Override
    void groupDot(Activation x, long at, float[] out, int off) {
        int[] pairs = x.qkPairs(), sums32 = x.qkSums32();
        float[] yd = x.qkd();
        FloatVector acc = FloatVector.zero(F);
        ShortVector nibble = ShortVector.broadcast(SHORTS, (short) 0xF);
        for (int b = 0; b < base.blocks; b++, at += BLOCK) {
            IntVector isum = IntVector.zero(I), msum = IntVector.zero(I);
            for (int j = 0; j < 8; j++) {
                int p = 128 * b + 16 * j;
                long q = at + CODES + SUB * j;
                // Vector API calls only in this loop: C2 inlines the API's methods past its node budget, not ours.
                ShortVector v = ShortVector.fromMemorySegment(SHORTS, packed, q, LE);
                ShortVector s = v.and(nibble).mul(IntVector.broadcast(I, pairs[p]).reinterpretAsShorts());
                s = s.add(v.lanewise(VectorOperators.LSHR, 4).and(nibble).mul(IntVector.broadcast(I, pairs[p + 1]).reinterpretAsShorts()));
                s = s.add(v.lanewise(VectorOperators.LSHR, 8).and(nibble).mul(IntVector.broadcast(I, pairs[p + 2]).reinterpretAsShorts()));
                s = s.add(v.lanewise(VectorOperators.LSHR, 12).mul(IntVector.broadcast(I, pairs[p + 3]).reinterpretAsShorts()));
                v = ShortVector.fromMemorySegment(SHORTS, packed, q + 4L * G, LE);
                s = s.add(v.and(nibble).mul(IntVector.broadcast(I, pairs[p + 4]).reinterpretAsShorts()));
                s = s.add(v.lanewise(VectorOperators.LSHR, 4).and(nibble).mul(IntVector.broadcast(I, pairs[p + 5]).reinterpretAsShorts()));
                s = s.add(v.lanewise(VectorOperators.LSHR, 8).and(nibble).mul(IntVector.broadcast(I, pairs[p + 6]).reinterpretAsShorts()));
                s = s.add(v.lanewise(VectorOperators.LSHR, 12).mul(IntVector.broadcast(I, pairs[p + 7]).reinterpretAsShorts()));
                v = ShortVector.fromMemorySegment(SHORTS, packed, q + 8L * G, LE);
                s = s.add(v.and(nibble).mul(IntVector.broadcast(I, pairs[p + 8]).reinterpretAsShorts()));
                s = s.add(v.lanewise(VectorOperators.LSHR, 4).and(nibble).mul(IntVector.broadcast(I, pairs[p + 9]).reinterpretAsShorts()));
                s = s.add(v.lanewise(VectorOperators.LSHR, 8).and(nibble).mul(IntVector.broadcast(I, pairs[p + 10]).reinterpretAsShorts()));
                s = s.add(v.lanewise(VectorOperators.LSHR, 12).mul(IntVector.broadcast(I, pairs[p + 11]).reinterpretAsShorts()));
                v = ShortVector.fromMemorySegment(SHORTS, packed, q + 12L * G, LE);
                s = s.add(v.and(nibble).mul(IntVector.broadcast(I, pairs[p + 12]).reinterpretAsShorts()));
                s = s.add(v.lanewise(VectorOperators.LSHR, 4).and(nibble).mul(IntVector.broadcast(I, pairs[p + 13]).reinterpretAsShorts()));
                s = s.add(v.lanewise(VectorOperators.LSHR, 8).and(nibble).mul(IntVector.broadcast(I, pairs[p + 14]).reinterpretAsShorts()));
                s = s.add(v.lanewise(VectorOperators.LSHR, 12).mul(IntVector.broadcast(I, pairs[p + 15]).reinterpretAsShorts()));
                IntVector w = s.reinterpretAsInts();
                IntVector row = w.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                        .add(w.lanewise(VectorOperators.ASHR, 16));
                IntVector scale = (IntVector) ByteVector.fromMemorySegment(BG, packed, at + SCALES + (long) G * j, LE)
                        .convertShape(VectorOperators.B2I, I, 0);
                IntVector min = (IntVector) ByteVector.fromMemorySegment(BG, packed, at + MINS + (long) G * j, LE)
                        .convertShape(VectorOperators.B2I, I, 0);
                isum = isum.add(row.mul(scale));
                msum = msum.add(min.mul(sums32[8 * b + j]));
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
