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
 * Q6_K with {@link PackedKernel#G} rows interleaved. Per block of 256 columns the group's stream holds the rows'
 * {@code d} as floats, the sixteen 8-bit scales of each row (sub-block j's G scales side by side), then each 6-bit
 * code minus its offset of 32 as a signed byte, two per 16-bit lane: in sub-block j's chunk t, lane 2i + h of row i
 * holds column 4t + h in its low byte and 4t + 2 + h in its high byte, so the activation pair for byte k of chunk t
 * is pair 2t + k of the 16 columns. One byte per code instead of 6.5 bits costs a quarter more bytes; the 4 + 2 bit
 * planes of the file would cost about twice the operations to put together. A 16-bit lane sums the 8 products of a
 * sub-block, each at most 32 · 127, so at most 32,512: exact. The row's integer is multiplied by its scale in int
 * lanes, and the block's sum scaled once by {@code d · d_a}: ggml's integers, ggml's scaling.
 */
final class PackedQ6_K extends PackedKernel {
    private static final long D = 0, SCALES = 4L * G, CODES = 20L * G;
    /** One sub-block's codes: 16 columns of G rows at one byte. */
    private static final long SUB = 16L * G;
    static final long BLOCK = CODES + 16 * SUB;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    PackedQ6_K(RowKernel base, Arena arena) {
        super(base, arena);
    }


    /** The 6-bit code (0..63) of column {@code col} of the block at {@code at} in row {@code q} (ggml's block_q6_K). */
    private static int code(byte[] q, int at, int col) {
        int half = col >>> 7, k = (col & 127) >>> 5, l = col & 31;
        int low = (u8(q, at + 64 * half + 32 * (k & 1) + l) >>> 4 * (k >>> 1)) & 0xF;
        int high = (u8(q, at + 128 + 32 * half + l) >>> 2 * k) & 3;
        return low | high << 4;
    }

    @Override
    void pack(byte[][] rows, byte[] out) {
        float[] d = new float[G];
        int[] scales = new int[G];
        for (int b = 0; b < base.blocks; b++) {
            int at = Math.toIntExact(b * BLOCK), src = 210 * b;
            for (int i = 0; i < G; i++) d[i] = half(rows[i], src + 208);
            putFloats(out, at + (int) D, d);
            for (int j = 0; j < 16; j++) {
                for (int i = 0; i < G; i++) scales[i] = rows[i][src + 192 + j];
                putBytes(out, at + (int) SCALES + G * j, scales);
                for (int t = 0; t < 4; t++) {
                    for (int i = 0; i < G; i++) {
                        for (int h = 0; h < 2; h++) {
                            for (int k = 0; k < 2; k++) {
                                out[at + (int) (CODES + SUB * j) + 4 * G * t + 2 * (2 * i + h) + k] =
                                        (byte) (code(rows[i], src, 16 * j + 4 * t + 2 * k + h) - 32);
                            }
                        }
                    }
                }
            }
        }
    }

    @Override
    void groupDot(Activation x, long at, float[] out, int off) {
        int[] pairs = x.qkPairs();
        float[] yd = x.qkd();
        FloatVector acc = FloatVector.zero(F);
        for (int b = 0; b < base.blocks; b++, at += BLOCK) {
            IntVector isum = IntVector.zero(I);
            for (int j = 0; j < 16; j++) {
                int p = 128 * b + 8 * j;
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
                IntVector w = s.reinterpretAsInts();
                IntVector row = w.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                        .add(w.lanewise(VectorOperators.ASHR, 16));
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
