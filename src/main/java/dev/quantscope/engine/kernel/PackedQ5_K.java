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
 * Q5_K with {@link PackedKernel#G} rows interleaved. Per block of 256 columns the group's stream holds the rows'
 * {@code d} and {@code dmin} as floats, the eight 6-bit scales and the eight 6-bit mins of each row as bytes (as
 * {@link PackedQ4_K}), then per sub-block of 32 columns the low four bits of the codes as Q4_K's nibble chunks
 * ({@link PackedKernel#putNibbles}) followed by one vector of the fifth bits, inverted: bit 4t + k of lane 2i + h is
 * set where column 8t + 2k + h of row i has its fifth bit clear, the code that nibble k of chunk t holds.
 *
 * <p>The products use codes minus 16 (-16..15): {@code (low - 16 · clear) · a}, the low nibble's product summed in one
 * 16-bit lane (16 of at most 15 · 127: 30,480), the inverted bit as a mask on the activation pair summed in another
 * (at most 16 · 127 = 2,032), the two combined as {@code s - 16 · sn}, whose value, the sub-block's 16 products of at
 * most 16 · 127, is at most 32,512: exact, one widening per 32 columns, where unsigned codes 0..31 would overflow
 * after 8 products. The offset comes back as {@code 16 · Σ a} (the activation's 32-column sum) added to the row's
 * integer before its scale, so the integers are ggml's; mins as Q4_K.
 *
 * <p>Against codes as signed bytes two per 16-bit lane (as {@link PackedQ6_K}; fewer operations, 8 bits per code)
 * this was measured equal per CPU second (4.76 against 4.71 GB/s of file bytes on one thread, 70 MB of matrices),
 * and it keeps the copy at 184 bytes per row and block against 280 (the file: 176).
 */
final class PackedQ5_K extends PackedKernel {
    private static final long D = 0, DMIN = 4L * G, SCALES = 8L * G, MINS = 16L * G, CODES = 24L * G;
    /** One sub-block's codes: 32 columns of G rows, four nibble chunks and one vector of fifth bits. */
    private static final long SUB = 20L * G;
    static final long BLOCK = CODES + 8 * SUB;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    PackedQ5_K(RowKernel base, Arena arena) {
        super(base, arena);
    }


    /** The 5-bit code (0..31) of column {@code col} of the block at {@code at} in row {@code q} (ggml's block_q5_K). */
    private static int code(byte[] q, int at, int col) {
        int g = col >>> 5, l = col & 31;
        int low = (u8(q, at + 48 + 32 * (g >>> 1) + l) >>> 4 * (g & 1)) & 0xF;
        int high = (u8(q, at + 16 + l) >>> g) & 1;
        return low | high << 4;
    }

    /**
     * Writes 32 columns of 5-bit codes {@code codes[i][c]} (0..31) from {@code at}: their low nibbles as the chunks of
     * {@link PackedKernel#putNibbles}, then one vector of the inverted fifth bits (see the class comment); also
     * Q5_0's and Q5_1's blocks.
     */
    static void putCodes(byte[] out, int at, int[][] codes) {
        int[][] low = new int[G][32];
        for (int i = 0; i < G; i++) for (int l = 0; l < 32; l++) low[i][l] = codes[i][l] & 0xF;
        putNibbles(out, at, low);
        for (int i = 0; i < G; i++) {
            for (int h = 0; h < 2; h++) {
                int lane = 0;
                for (int t = 0; t < 4; t++) {
                    for (int k = 0; k < 4; k++) lane |= (~codes[i][8 * t + 2 * k + h] >>> 4 & 1) << 4 * t + k;
                }
                int o = at + 16 * G + 2 * (2 * i + h);
                out[o] = (byte) lane;
                out[o + 1] = (byte) (lane >>> 8);
            }
        }
    }

    @Override
    void pack(byte[][] rows, byte[] out) {
        float[] d = new float[G], dmin = new float[G];
        int[] scales = new int[G], mins = new int[G];
        int[][] codes = new int[G][32];
        for (int b = 0; b < base.blocks; b++) {
            int at = Math.toIntExact(b * BLOCK), src = 176 * b;
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
                for (int i = 0; i < G; i++) {
                    for (int l = 0; l < 32; l++) codes[i][l] = code(rows[i], src, 32 * j + l);
                }
                putCodes(out, at + (int) (CODES + SUB * j), codes);
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
                // Per pair: the nibble times it into s; the inverted fifth bit, moved to the top and spread over the
                // lane by an arithmetic shift (0 or -1), masks it into sn.
                ShortVector clear = ShortVector.fromMemorySegment(SHORTS, packed, q + 16L * G, LE);
                ShortVector s = ShortVector.zero(SHORTS), sn = ShortVector.zero(SHORTS), a;
                ShortVector v = ShortVector.fromMemorySegment(SHORTS, packed, q, LE);
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
                v = ShortVector.fromMemorySegment(SHORTS, packed, q + 4L * G, LE);
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
                v = ShortVector.fromMemorySegment(SHORTS, packed, q + 8L * G, LE);
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
                v = ShortVector.fromMemorySegment(SHORTS, packed, q + 12L * G, LE);
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
                // row i's sub-block integer: its two lanes, plus the offset's 16 · Σ a back
                IntVector w = s.reinterpretAsInts();
                int sum = sums32[8 * b + j];
                IntVector row = w.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                        .add(w.lanewise(VectorOperators.ASHR, 16)).add(16 * sum);
                IntVector scale = (IntVector) ByteVector.fromMemorySegment(BG, packed, at + SCALES + (long) G * j, LE)
                        .convertShape(VectorOperators.B2I, I, 0);
                IntVector min = (IntVector) ByteVector.fromMemorySegment(BG, packed, at + MINS + (long) G * j, LE)
                        .convertShape(VectorOperators.B2I, I, 0);
                isum = isum.add(row.mul(scale));
                msum = msum.add(min.mul(sum));
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
