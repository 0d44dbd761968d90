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
 * Q5_0 with {@link PackedKernel#G} rows interleaved: per block of 32 columns, each row's 5-bit code minus ggml's
 * offset of 16 (-16..15) as a signed byte, two per 16-bit lane ({@link PackedQ5_K#putBytePairs}), then the G rows'
 * scales as floats. A 16-bit lane sums 16 products of at most 16 · 127, so at most 32,512: exact. The block's
 * lanes are widened, each row's pair added, and the row's integer times {@code d_w · d_a} added to its float lane.
 * A byte per code rather than the file's 5.5 bits: no fifth-bit assembly in the loop.
 */
final class PackedQ5_0 extends PackedKernel {
    private static final long D = 32L * G, BLOCK = 36L * G;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    PackedQ5_0(RowKernel base, Arena arena) {
        super(base, BLOCK * (base.cols / 32), arena);
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
                for (int j = 0; j < 32; j++) codes[i][j] = code(rows[i], src + 2, j) - 16;
            }
            PackedQ5_K.putBytePairs(out, at, codes);
            putFloats(out, at + (int) D, d);
        }
    }

    @Override
    void groupDot(Activation x, long at, float[] out, int off) {
        int[] pairs = x.q8pairs();
        float[] yd = x.q8d();
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
                    .add(w.lanewise(VectorOperators.ASHR, 16));
            FloatVector d = FloatVector.fromMemorySegment(F, packed, at + D, LE).mul(yd[b]);
            acc = ((FloatVector) row.convert(VectorOperators.I2F, 0)).fma(d, acc);
        }
        acc.intoArray(out, off);
    }
}
