package dev.quantscope.engine.kernel;

import dev.quantscope.tensor.Layouts;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;

import java.lang.foreign.MemorySegment;

import static dev.quantscope.engine.kernel.ScalarKernels.half;
import static dev.quantscope.engine.kernel.ScalarKernels.u8;
import static dev.quantscope.engine.kernel.VectorKernels.F;
import static dev.quantscope.engine.kernel.VectorKernels.L;
import static dev.quantscope.engine.kernel.VectorKernels.byteAt;
import static dev.quantscope.engine.kernel.VectorKernels.bytes;
import static dev.quantscope.engine.kernel.VectorKernels.field;
import static dev.quantscope.engine.kernel.VectorKernels.fieldUp;
import static dev.quantscope.engine.kernel.VectorKernels.floats;
import static dev.quantscope.engine.kernel.VectorKernels.kMins;
import static dev.quantscope.engine.kernel.VectorKernels.kScales;
import static dev.quantscope.engine.kernel.VectorKernels.shr;
import static dev.quantscope.engine.kernel.VectorKernels.splat;
import static dev.quantscope.engine.kernel.VectorKernels.sumLanes;
import static dev.quantscope.engine.kernel.VectorKernels.y;

/**
 * The batched (prompt processing) path of the vector kernels: a row is decoded once into a {@link DecodedRow},
 * and every token of the batch then takes its dot product with the decoded codes, a stream of fused
 * multiply-adds with no unpacking. Each dot does exactly its vector kernel's arithmetic: the same exact integers
 * in the same lanes (every lane sum is an integer below 2^24, so the order of the integer additions does not
 * matter) and the same float operations in the same order, so a batch gives every token bit for bit the result
 * of {@link RowKernel#matvec} (the kernel tests check it for every type).
 *
 * <p>Types without a decoder here (Q4_1, Q5_0, Q5_1, Q2_K, Q3_K, F32) run each token through the row kernel.
 */
final class BatchKernels {
    private BatchKernels() {}

    /** Decodes rows of one matrix and takes dot products with them. */
    interface RowDecoder {
        void decode(MemorySegment data, long rowAt, DecodedRow row);

        float dot(Activation x, DecodedRow row, float[] lanes);
    }

    static RowDecoder create(RowKernel k) {
        return switch (k.dtype) {
            case F16 -> new FloatRow(k.cols, false);
            case BF16 -> new FloatRow(k.cols, true);
            case Q8_0, Q4_0, IQ4_NL -> new Blocks32(k);
            case Q4_K -> new Q4K(k.blocks, false);
            case Q5_K -> new Q4K(k.blocks, true);
            case Q6_K -> new Q6K(k.blocks);
            default -> null;
        };
    }

    /** F16/BF16 rows converted to floats once; the dot is the float kernel's loop over them. */
    private record FloatRow(int cols, boolean bf16) implements RowDecoder {
        @Override public void decode(MemorySegment data, long rowAt, DecodedRow row) {
            float[] w = row.codes;
            int i = 0;
            for (; i + L <= cols; i += L) {
                FloatVector v = bf16 ? VectorKernels.bf16ToFloat(data, rowAt + 2L * i) : VectorKernels.halfToFloat(data, rowAt + 2L * i);
                v.intoArray(w, i);
            }
            for (; i < cols; i++) {
                w[i] = bf16 ? Float.intBitsToFloat(data.get(Layouts.I16, rowAt + 2L * i) << 16) : half(data, rowAt + 2L * i);
            }
        }

        @Override public float dot(Activation x, DecodedRow row, float[] lanes) {
            float[] yv = bf16 ? x.bf16() : x.f16(), w = row.codes;
            FloatVector acc = FloatVector.zero(F);
            int i = 0;
            for (; i + L <= cols; i += L) acc = y(w, i).fma(y(yv, i), acc);
            float sum = sumLanes(acc, lanes);
            for (; i < cols; i++) sum += w[i] * yv[i];
            return sum;
        }
    }

    /** Q8_0, Q4_0 and IQ4_NL: 32 signed codes and one F16 scale per block, dotted with Q8_0 activations. */
    private static final class Blocks32 implements RowDecoder {
        private final RowKernel k;

        Blocks32(RowKernel k) { this.k = k; }

        @Override public void decode(MemorySegment data, long rowAt, DecodedRow row) {
            float[] c = row.codes, d = row.d;
            switch (k.dtype) {
                case Q8_0 -> {
                    for (int b = 0; b < k.blocks; b++) {
                        long at = rowAt + 34L * b;
                        d[b] = half(data, at);
                        for (int o = 0; o < 32; o += L) floats(bytes(data, at + 2 + o)).intoArray(c, 32 * b + o);
                    }
                }
                case Q4_0 -> {
                    for (int b = 0; b < k.blocks; b++) {
                        long at = rowAt + 18L * b;
                        d[b] = half(data, at);
                        for (int o = 0; o < 16; o += L) {
                            ByteVector v = bytes(data, at + 2 + o);
                            floats(v.and((byte) 0xF).sub((byte) 8)).intoArray(c, 32 * b + o);
                            floats(shr(v, 4).sub((byte) 8)).intoArray(c, 32 * b + 16 + o);
                        }
                    }
                }
                case IQ4_NL -> {
                    for (int b = 0; b < k.blocks; b++) {
                        long at = rowAt + 18L * b;
                        d[b] = half(data, at);
                        for (int j = 0; j < 16; j++) {
                            int v = u8(data, at + 2 + j);
                            c[32 * b + j] = ScalarKernels.IQ4_GRID[v & 0xF];
                            c[32 * b + 16 + j] = ScalarKernels.IQ4_GRID[v >>> 4];
                        }
                    }
                }
                default -> throw new IllegalStateException(k.dtype.toString());
            }
        }

        /** Per lane and block 32/L products of at most 128 * 127: exact. */
        @Override public float dot(Activation x, DecodedRow row, float[] lanes) {
            float[] yq = x.q8f(), yd = x.q8d(), c = row.codes, d = row.d;
            FloatVector acc = FloatVector.zero(F);
            for (int b = 0; b < k.blocks; b++) {
                int o = 32 * b;
                FloatVector p = y(c, o).fma(y(yq, o), FloatVector.zero(F));
                p = y(c, o + L).fma(y(yq, o + L), p);
                if (L == 8) {
                    p = y(c, o + 16).fma(y(yq, o + 16), p);
                    p = y(c, o + 24).fma(y(yq, o + 24), p);
                }
                acc = p.fma(splat(d[b] * yd[b]), acc);
            }
            return sumLanes(acc, lanes);
        }
    }

    /**
     * Q4_K and Q5_K: codes times their 6-bit group scale (at most 31 * 63), the mins' part from the activation's
     * 16-element sums. Q4_K scales each block's exact lanes by {@code d * d_y} as its vector kernel does; Q5_K
     * reduces them to the block's integer and adds in the scalar kernels' order, as its vector kernel does.
     */
    private record Q4K(int blocks, boolean five) implements RowDecoder {
        @Override public void decode(MemorySegment data, long rowAt, DecodedRow row) {
            float[] c = row.codes;
            for (int b = 0; b < blocks; b++) {
                long at = rowAt + (five ? 176L : 144L) * b;
                row.d[b] = half(data, at);
                row.dmin[b] = half(data, at + 2);
                long scales = kScales(data, at + 4), mins = kMins(data, at + 4);
                for (int g = 0; g < 8; g++) row.groups[16 * b + g] = byteAt(mins, g);
                if (five) {
                    for (int g = 0; g < 8; g++) {
                        long q = at + 48 + 32L * (g >>> 1);
                        int shift = 4 * (g & 1), sc = byteAt(scales, g);
                        for (int l = 0; l < 32; l++) {
                            int code = ((u8(data, q + l) >>> shift) & 0xF) | ((u8(data, at + 16 + l) >>> g) & 1) << 4;
                            c[256 * b + 32 * g + l] = code * sc;
                        }
                    }
                } else {
                    for (int run = 0; run < 4; run++) {
                        float s1 = byteAt(scales, 2 * run), s2 = byteAt(scales, 2 * run + 1);
                        for (int o = 0; o < 32; o += L) {
                            ByteVector v = bytes(data, at + 16 + 32 * run + o);
                            floats(v.and((byte) 0xF)).mul(s1).intoArray(c, 256 * b + 64 * run + o);
                            floats(field(v, 4, 0xF)).mul(s2).intoArray(c, 256 * b + 64 * run + 32 + o);
                        }
                    }
                }
            }
        }

        /** Per lane and block 256/L products of at most 31 * 63 * 127: exact. */
        @Override public float dot(Activation x, DecodedRow row, float[] lanes) {
            float[] yq = x.qkf(), yd = x.qkd(), c = row.codes;
            int[] bsums = x.qkSums();
            FloatVector acc = FloatVector.zero(F);
            float sum = 0, minPart = 0;
            for (int b = 0; b < blocks; b++) {
                int o = 256 * b;
                FloatVector blk = FloatVector.zero(F);
                for (int i = 0; i < 256; i += L) blk = y(c, o + i).fma(y(yq, o + i), blk);
                int summs = 0;
                for (int g = 0; g < 8; g++) summs += row.groups[16 * b + g] * (bsums[16 * b + 2 * g] + bsums[16 * b + 2 * g + 1]);
                float dy = yd[b];
                if (five) {
                    int isum = VectorKernels.exactInt(blk);
                    sum += dy * row.d[b] * isum - dy * row.dmin[b] * summs;
                } else {
                    acc = blk.fma(splat(dy * row.d[b]), acc);
                    minPart += dy * row.dmin[b] * summs;
                }
            }
            return five ? sum : sumLanes(acc, lanes) - minPart;
        }
    }

    /**
     * Q6_K: unsigned 6-bit codes times their signed group scale; the offset of 32 comes off through the
     * activation's 16-element sums. The dot walks the vector kernel's chunks (L lanes of the four groups that
     * share their bytes) and scales each chunk's exact lanes by {@code d * d_y}, as that kernel does.
     */
    private record Q6K(int blocks) implements RowDecoder {
        @Override public void decode(MemorySegment data, long rowAt, DecodedRow row) {
            float[] c = row.codes;
            for (int b = 0; b < blocks; b++) {
                long at = rowAt + 210L * b;
                row.d[b] = half(data, at + 208);
                for (int g = 0; g < 16; g++) row.groups[16 * b + g] = data.get(Layouts.I8, at + 192 + g);
                for (int half = 0; half < 2; half++) {
                    long scales = data.get(Layouts.I64, at + 192 + 8L * half);
                    for (int o = 0; o < 32; o += L) {
                        long sc = scales >>> (8 * (o >>> 4));
                        long ql = at + 64L * half + o;
                        ByteVector a = bytes(data, ql), a2 = bytes(data, ql + 32), h = bytes(data, at + 128 + 32L * half + o);
                        int base = 256 * b + 128 * half + o;
                        floats(a.and((byte) 0xF).or(fieldUp(h, 4, 0x30))).mul((byte) sc).intoArray(c, base);
                        floats(a2.and((byte) 0xF).or(fieldUp(h, 2, 0x30))).mul((byte) (sc >>> 16)).intoArray(c, base + 32);
                        floats(field(a, 4, 0xF).or(h.and((byte) 0x30))).mul((byte) (sc >>> 32)).intoArray(c, base + 64);
                        floats(field(a2, 4, 0xF).or(field(h, 2, 0x30))).mul((byte) (sc >>> 48)).intoArray(c, base + 96);
                    }
                }
            }
        }

        /** Per lane and chunk 4 products of at most 63 * 128 * 127: exact. */
        @Override public float dot(Activation x, DecodedRow row, float[] lanes) {
            float[] yq = x.qkf(), yd = x.qkd(), c = row.codes;
            int[] bsums = x.qkSums();
            FloatVector acc = FloatVector.zero(F);
            float offsetPart = 0;
            for (int b = 0; b < blocks; b++) {
                float dd = row.d[b] * yd[b];
                for (int u = 0; u < 64 / L; u++) {
                    int base = 256 * b + 128 * (u / (32 / L)) + L * (u % (32 / L));
                    FloatVector chunk = y(c, base).mul(y(yq, base));
                    chunk = y(c, base + 32).fma(y(yq, base + 32), chunk);
                    chunk = y(c, base + 64).fma(y(yq, base + 64), chunk);
                    chunk = y(c, base + 96).fma(y(yq, base + 96), chunk);
                    acc = chunk.fma(splat(dd), acc);
                }
                int offset = 0;
                for (int g = 0; g < 16; g++) offset += row.groups[16 * b + g] * bsums[16 * b + g];
                offsetPart += dd * (32 * offset);
            }
            return sumLanes(acc, lanes) - offsetPart;
        }
    }
}
