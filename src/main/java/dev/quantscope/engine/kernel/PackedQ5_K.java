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
 * Q5_K with {@link PackedKernel#G} rows interleaved. Per block of 256 columns the group's stream holds the rows'
 * {@code d} and {@code dmin} as floats, the eight 6-bit scales and the eight 6-bit mins of each row as bytes (as
 * {@link PackedQ4_K}), then each 5-bit code minus 16 as a signed byte, two per 16-bit lane as {@link PackedQ6_K}
 * lays them out: in sub-block j's chunk t (of 8), lane 2i + h of row i holds column 4t + h in its low byte and
 * 4t + 2 + h in its high byte, so byte k of chunk t takes the activation pair 2t + k of the 32 columns.
 *
 * <p>Why the offset: unsigned codes 0..31 times 127 would let a 16-bit lane sum only 8 products, so a sub-block's 16
 * products per lane would need two widenings; codes -16..15 give products of at most 16 · 127 = 2,032, and the 16 of
 * a sub-block at most 32,512: exact, one widening per 32 columns. The offset comes back as {@code 16 · Σ a} (the
 * activation's 32-column sum) added to the row's integer before its scale, so the integers are ggml's. A byte per
 * code rather than 5.5 bits costs 45 % more bytes per weight but no bit-plane assembly (measured against nibbles plus
 * a fifth-bit plane in the commit that made this).
 */
final class PackedQ5_K extends PackedKernel {
    private static final long D = 0, DMIN = 4L * G, SCALES = 8L * G, MINS = 16L * G, CODES = 24L * G;
    /** One sub-block's codes: 32 columns of G rows at one byte. */
    private static final long SUB = 32L * G;
    private static final long BLOCK = CODES + 8 * SUB;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    PackedQ5_K(RowKernel base, Arena arena) {
        super(base, BLOCK * (base.cols / 256), arena);
    }

    /** The 5-bit code (0..31) of column {@code col} of the block at {@code at} in row {@code q} (ggml's block_q5_K). */
    private static int code(byte[] q, int at, int col) {
        int g = col >>> 5, l = col & 31;
        int low = (u8(q, at + 48 + 32 * (g >>> 1) + l) >>> 4 * (g & 1)) & 0xF;
        int high = (u8(q, at + 16 + l) >>> g) & 1;
        return low | high << 4;
    }

    /**
     * Writes 32 columns of signed 8-bit codes {@code codes[i][c]} as eight chunks of 2G 16-bit lanes from {@code at}:
     * in chunk t, lane 2i + h belongs to row i, its low byte holds column 4t + h and its high byte 4t + 2 + h, so
     * byte k of chunk t takes the activation pair 2t + k of the 32 columns.
     */
    static void putBytePairs(byte[] out, int at, int[][] codes) {
        for (int t = 0; t < 8; t++) {
            for (int i = 0; i < G; i++) {
                for (int h = 0; h < 2; h++) {
                    for (int k = 0; k < 2; k++) out[at + 4 * G * t + 2 * (2 * i + h) + k] = (byte) codes[i][4 * t + 2 * k + h];
                }
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
                    scales[i] = PackedQ4_K.kScale(rows[i], src + 4, j);
                    mins[i] = PackedQ4_K.kMin(rows[i], src + 4, j);
                }
                putBytes(out, at + (int) SCALES + G * j, scales);
                putBytes(out, at + (int) MINS + G * j, mins);
                for (int i = 0; i < G; i++) {
                    for (int l = 0; l < 32; l++) codes[i][l] = code(rows[i], src, 32 * j + l) - 16;
                }
                putBytePairs(out, at + (int) (CODES + SUB * j), codes);
            }
        }
    }

    @Override
    void groupDot(Activation x, long at, float[] out, int off) {
        int[] pairs = x.qkPairs(), sums32 = x.qkSums32();
        float[] yd = x.qkd();
        FloatVector acc = FloatVector.zero(F);
        for (int b = 0; b < base.blocks; b++, at += BLOCK) {
            IntVector isum = IntVector.zero(I), msum = IntVector.zero(I);
            for (int j = 0; j < 8; j++) {
                int p = 128 * b + 16 * j;
                long q = at + CODES + SUB * j;
                // Vector API calls only in this loop: C2 inlines the API's methods past its node budget, not ours.
                // Low byte: shifted up and back arithmetically (sign-extended); high byte: shifted down arithmetically.
                ShortVector v = ShortVector.fromMemorySegment(SHORTS, packed, q, LE);
                ShortVector s = v.lanewise(VectorOperators.LSHL, 8).lanewise(VectorOperators.ASHR, 8)
                        .mul(IntVector.broadcast(I, pairs[p]).reinterpretAsShorts());
                s = s.add(v.lanewise(VectorOperators.ASHR, 8).mul(IntVector.broadcast(I, pairs[p + 1]).reinterpretAsShorts()));
                v = ShortVector.fromMemorySegment(SHORTS, packed, q + 4L * G, LE);
                s = s.add(v.lanewise(VectorOperators.LSHL, 8).lanewise(VectorOperators.ASHR, 8)
                        .mul(IntVector.broadcast(I, pairs[p + 2]).reinterpretAsShorts()));
                s = s.add(v.lanewise(VectorOperators.ASHR, 8).mul(IntVector.broadcast(I, pairs[p + 3]).reinterpretAsShorts()));
                v = ShortVector.fromMemorySegment(SHORTS, packed, q + 8L * G, LE);
                s = s.add(v.lanewise(VectorOperators.LSHL, 8).lanewise(VectorOperators.ASHR, 8)
                        .mul(IntVector.broadcast(I, pairs[p + 4]).reinterpretAsShorts()));
                s = s.add(v.lanewise(VectorOperators.ASHR, 8).mul(IntVector.broadcast(I, pairs[p + 5]).reinterpretAsShorts()));
                v = ShortVector.fromMemorySegment(SHORTS, packed, q + 12L * G, LE);
                s = s.add(v.lanewise(VectorOperators.LSHL, 8).lanewise(VectorOperators.ASHR, 8)
                        .mul(IntVector.broadcast(I, pairs[p + 6]).reinterpretAsShorts()));
                s = s.add(v.lanewise(VectorOperators.ASHR, 8).mul(IntVector.broadcast(I, pairs[p + 7]).reinterpretAsShorts()));
                v = ShortVector.fromMemorySegment(SHORTS, packed, q + 16L * G, LE);
                s = s.add(v.lanewise(VectorOperators.LSHL, 8).lanewise(VectorOperators.ASHR, 8)
                        .mul(IntVector.broadcast(I, pairs[p + 8]).reinterpretAsShorts()));
                s = s.add(v.lanewise(VectorOperators.ASHR, 8).mul(IntVector.broadcast(I, pairs[p + 9]).reinterpretAsShorts()));
                v = ShortVector.fromMemorySegment(SHORTS, packed, q + 20L * G, LE);
                s = s.add(v.lanewise(VectorOperators.LSHL, 8).lanewise(VectorOperators.ASHR, 8)
                        .mul(IntVector.broadcast(I, pairs[p + 10]).reinterpretAsShorts()));
                s = s.add(v.lanewise(VectorOperators.ASHR, 8).mul(IntVector.broadcast(I, pairs[p + 11]).reinterpretAsShorts()));
                v = ShortVector.fromMemorySegment(SHORTS, packed, q + 24L * G, LE);
                s = s.add(v.lanewise(VectorOperators.LSHL, 8).lanewise(VectorOperators.ASHR, 8)
                        .mul(IntVector.broadcast(I, pairs[p + 12]).reinterpretAsShorts()));
                s = s.add(v.lanewise(VectorOperators.ASHR, 8).mul(IntVector.broadcast(I, pairs[p + 13]).reinterpretAsShorts()));
                v = ShortVector.fromMemorySegment(SHORTS, packed, q + 28L * G, LE);
                s = s.add(v.lanewise(VectorOperators.LSHL, 8).lanewise(VectorOperators.ASHR, 8)
                        .mul(IntVector.broadcast(I, pairs[p + 14]).reinterpretAsShorts()));
                s = s.add(v.lanewise(VectorOperators.ASHR, 8).mul(IntVector.broadcast(I, pairs[p + 15]).reinterpretAsShorts()));
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
