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
 * Q3_K with {@link PackedKernel#G} rows interleaved. Per block of 256 columns the group's stream holds the rows'
 * {@code d} as floats, the sixteen signed scales of each row (the file's 6-bit value minus 32) as bytes, sub-block
 * j's G scales side by side, then each code as a nibble {@code q + 4} (the two low bits and the hmask bit as bit 2,
 * 0..7), in the nibble chunks of {@link PackedKernel#putNibbles}: 32 columns make four chunks, the first two of them
 * sub-block 2m, the last two sub-block 2m + 1. ggml's offset of 4 (the value is {@code q - 4} where the hmask bit is
 * clear) comes off per sub-block as {@code 4 · Σ a} from the activation's 16-column sums, before the scale.
 *
 * <p>A 16-bit lane sums a sub-block's 8 products of at most 7 · 127, so at most 7,112: exact (far from the bound;
 * the scales, which differ per 16 columns and per row, are what forces the widening once per 16 columns). The row's
 * integer is multiplied by its scale in int lanes and the block's sum scaled once by {@code d · d_a}: ggml's
 * integers, ggml's scaling. Nibbles rather than signed bytes: 4 bits per code instead of 8 for the same operations.
 */
final class PackedQ3_K extends PackedKernel {
    private static final long D = 0, SCALES = 4L * G, CODES = 20L * G;
    /** One sub-block's codes: 16 columns of G rows at 4 bits. */
    private static final long SUB = 8L * G;
    static final long BLOCK = CODES + 16 * SUB;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    PackedQ3_K(RowKernel base, Arena arena) {
        super(base, arena);
    }


    /** ggml's signed scale (-32..31) of sub-block j (0..15) from the 12 packed bytes at {@code sc}. */
    static int scale(byte[] q, int sc, int j) {
        int lowByte = u8(q, sc + (j & 7));
        int low = j < 8 ? lowByte & 0xF : lowByte >>> 4;
        int high = (u8(q, sc + 8 + (j & 3)) >>> (2 * (j >>> 2))) & 3;
        return (low | high << 4) - 32;
    }

    /** Code + 4 (0..7) of column {@code col} of the block at {@code at} in row {@code q} (ggml's block_q3_K). */
    private static int code(byte[] q, int at, int col) {
        int g = col >>> 4, l = col & 15;
        int half = g >>> 3, pair = (g & 7) >>> 1, part = 16 * (g & 1);
        int low = (u8(q, at + 32 + 32 * half + part + l) >>> 2 * pair) & 3;
        int high = (u8(q, at + part + l) >>> (4 * half + pair)) & 1;
        return low | high << 2;
    }

    @Override
    void pack(byte[][] rows, byte[] out) {
        int[][] codes = new int[G][32];
        int[] scales = new int[G];
        float[] d = new float[G];
        for (int b = 0; b < base.blocks; b++) {
            int at = Math.toIntExact(b * BLOCK), src = 110 * b;
            for (int i = 0; i < G; i++) d[i] = half(rows[i], src + 108);
            putFloats(out, at + (int) D, d);
            for (int j = 0; j < 16; j++) {
                for (int i = 0; i < G; i++) scales[i] = scale(rows[i], src + 96, j);
                putBytes(out, at + (int) SCALES + G * j, scales);
            }
            for (int m = 0; m < 8; m++) {
                for (int i = 0; i < G; i++) {
                    for (int l = 0; l < 32; l++) codes[i][l] = code(rows[i], src, 32 * m + l);
                }
                putNibbles(out, at + (int) (CODES + 2 * SUB * m), codes);
            }
        }
    }

    @Override
    void groupDot(Activation x, long at, float[] out, int off) {
        int[] pairs = x.qkPairs(), sums = x.qkSums();
        float[] yd = x.qkd();
        FloatVector acc = FloatVector.zero(F);
        ShortVector nibble = ShortVector.broadcast(SHORTS, (short) 0xF);
        for (int b = 0; b < base.blocks; b++, at += BLOCK) {
            IntVector isum = IntVector.zero(I);
            for (int j = 0; j < 16; j++) {
                int p = 128 * b + 8 * j;
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
                // row i's sub-block integer: its two lanes, less the offset's 4 · Σ a
                IntVector w = s.reinterpretAsInts();
                IntVector row = w.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                        .add(w.lanewise(VectorOperators.ASHR, 16)).sub(4 * sums[16 * b + j]);
                IntVector scale = (IntVector) ByteVector.fromMemorySegment(BG, packed, at + SCALES + (long) G * j, LE)
                        .convertShape(VectorOperators.B2I, I, 0);
                isum = isum.add(row.mul(scale));
            }
            FloatVector d = FloatVector.fromMemorySegment(F, packed, at + D, LE).mul(yd[b]);
            acc = ((FloatVector) isum.convert(VectorOperators.I2F, 0)).fma(d, acc);
        }
        acc.intoArray(out, off);
    }
}
