package dev.quantscope.engine.kernel;

import dev.quantscope.tensor.DType;
import dev.quantscope.tensor.Layouts;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

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
 * <p>Types without a decoder here (Q4_1, Q5_0, Q5_1, F32; Q2_K and Q3_K on 8-lane machines) run each token
 * through the row kernel.
 */
final class BatchKernels {
    private BatchKernels() {}

    /** Four float lanes: one per row of a four-row pass. */
    private static final VectorSpecies<Float> F4 = FloatVector.SPECIES_128;

    /**
     * Decodes rows of one matrix and takes dot products with them. Row {@code slot} (0 to
     * {@link DecodedRow#ROWS} - 1) of the scratch holds one decoded row; {@link #dot4x2} takes two tokens' dot
     * products with four of them at once: each decoded vector is loaded once for both tokens and each activation
     * vector once for the four rows (eight accumulations), which halves the loads per multiply-add of a
     * one-token pass; loads, not arithmetic, bound this loop.
     */
    interface RowDecoder {
        void decode(MemorySegment data, long rowAt, DecodedRow row, int slot);

        float dot(Activation x, DecodedRow row, int slot);

        /**
         * {@code out[r] = dot(xa, row r)} and {@code out[4 + r] = dot(xb, row r)} for r in 0..3, each bit for bit
         * as {@link #dot}.
         */
        default void dot4x2(Activation xa, Activation xb, DecodedRow row, float[] out) {
            for (int r = 0; r < 4; r++) {
                out[r] = dot(xa, row, r);
                out[4 + r] = dot(xb, row, r);
            }
        }
    }

    static RowDecoder create(RowKernel k) {
        return switch (k.dtype) {
            case F16 -> new FloatRow(k.cols, false);
            case BF16 -> new FloatRow(k.cols, true);
            case Q8_0, Q4_0, IQ4_NL -> new Blocks32(k.dtype, k.cols, k.blocks);
            case Q4_K, Q5_K -> new Q4K(k.dtype, k.cols, k.blocks);
            case Q6_K -> new Q6K(k.dtype, k.cols, k.blocks);
            // Q2_K's and Q3_K's row kernels reduce each unit to an integer on 8-lane machines, a float order the
            // decoded dots do not follow
            case Q2_K -> L == 16 ? new Q4K(k.dtype, k.cols, k.blocks) : null;
            case Q3_K -> L == 16 ? new Q6K(k.dtype, k.cols, k.blocks) : null;
            default -> null;
        };
    }

    /** F16/BF16 rows converted to floats once; the dot is the float kernel's loop over them. */
    private record FloatRow(int cols, boolean bf16) implements RowDecoder {
        @Override public void decode(MemorySegment data, long rowAt, DecodedRow row, int slot) {
            float[] w = row.codes;
            int co = slot * cols, i = 0;
            // Not VectorKernels.halfToFloat: called from here during a prompt, that method gets hot and is compiled
            // on its own into code too big for C2 to inline into the F16 row kernel afterwards, which then boxes
            // every vector (measured: generation 5x slower after a long prompt). Same conversion, spelled out.
            for (; i + L <= cols; i += L) {
                IntVector h = (IntVector) ShortVector.fromMemorySegment(VectorKernels.S, data, rowAt + 2L * i, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.S2I, VectorKernels.I, 0);
                FloatVector v;
                if (bf16) {
                    v = h.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
                } else {
                    IntVector mag = h.and(0x7fff);
                    IntVector bits = mag.lanewise(VectorOperators.LSHL, 13);
                    IntVector f = bits.reinterpretAsFloats().mul(0x1p112f).reinterpretAsInts()
                            .blend(bits.or(0x7f800000), mag.compare(VectorOperators.GE, 0x7c00));
                    v = f.or(h.and(0x8000).lanewise(VectorOperators.LSHL, 16)).reinterpretAsFloats();
                }
                v.intoArray(w, co + i);
            }
            for (; i < cols; i++) {
                w[co + i] = bf16 ? Float.intBitsToFloat(data.get(Layouts.I16, rowAt + 2L * i) << 16) : half(data, rowAt + 2L * i);
            }
        }

        @Override public float dot(Activation x, DecodedRow row, int slot) {
            float[] yv = bf16 ? x.bf16() : x.f16(), w = row.codes;
            int co = slot * cols;
            FloatVector acc = FloatVector.zero(F);
            int i = 0;
            for (; i + L <= cols; i += L) acc = y(w, co + i).fma(y(yv, i), acc);
            float sum = sumLanes(acc);
            for (; i < cols; i++) sum += w[co + i] * yv[i];
            return sum;
        }

        @Override public void dot4x2(Activation xa, Activation xb, DecodedRow row, float[] out) {
            float[] ya = bf16 ? xa.bf16() : xa.f16(), yb = bf16 ? xb.bf16() : xb.f16(), w = row.codes;
            FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
            int i = 0;
            for (; i + L <= cols; i += L) {
                FloatVector va = y(ya, i), vb = y(yb, i);
                FloatVector w0 = y(w, i), w1 = y(w, cols + i), w2 = y(w, 2 * cols + i), w3 = y(w, 3 * cols + i);
                a0 = w0.fma(va, a0);
                b0 = w0.fma(vb, b0);
                a1 = w1.fma(va, a1);
                b1 = w1.fma(vb, b1);
                a2 = w2.fma(va, a2);
                b2 = w2.fma(vb, b2);
                a3 = w3.fma(va, a3);
                b3 = w3.fma(vb, b3);
            }
            int tail = i;
            VectorKernels.sumLanes8(a0, a1, a2, a3, b0, b1, b2, b3, out);
            out[0] = finish(out[0], w, 0, ya, tail);
            out[1] = finish(out[1], w, cols, ya, tail);
            out[2] = finish(out[2], w, 2 * cols, ya, tail);
            out[3] = finish(out[3], w, 3 * cols, ya, tail);
            out[4] = finish(out[4], w, 0, yb, tail);
            out[5] = finish(out[5], w, cols, yb, tail);
            out[6] = finish(out[6], w, 2 * cols, yb, tail);
            out[7] = finish(out[7], w, 3 * cols, yb, tail);
        }

        private float finish(float sum, float[] w, int co, float[] yv, int from) {
            for (int i = from; i < cols; i++) sum += w[co + i] * yv[i];
            return sum;
        }
    }

    /** Q8_0, Q4_0 and IQ4_NL: 32 signed codes and one F16 scale per block, dotted with Q8_0 activations. */
    private record Blocks32(DType type, int cols, int blocks) implements RowDecoder {
        @Override public void decode(MemorySegment data, long rowAt, DecodedRow row, int slot) {
            float[] c = row.codes, d = row.d;
            int co = slot * cols;
            switch (type) {
                case Q8_0 -> {
                    for (int b = 0; b < blocks; b++) {
                        long at = rowAt + 34L * b;
                        d[4 * b + slot] = half(data, at);
                        for (int o = 0; o < 32; o += L) floats(bytes(data, at + 2 + o)).intoArray(c, co + 32 * b + o);
                    }
                }
                case Q4_0 -> {
                    for (int b = 0; b < blocks; b++) {
                        long at = rowAt + 18L * b;
                        d[4 * b + slot] = half(data, at);
                        for (int o = 0; o < 16; o += L) {
                            ByteVector v = bytes(data, at + 2 + o);
                            floats(v.and((byte) 0xF).sub((byte) 8)).intoArray(c, co + 32 * b + o);
                            floats(shr(v, 4).sub((byte) 8)).intoArray(c, co + 32 * b + 16 + o);
                        }
                    }
                }
                case IQ4_NL -> {
                    for (int b = 0; b < blocks; b++) {
                        long at = rowAt + 18L * b;
                        d[4 * b + slot] = half(data, at);
                        for (int j = 0; j < 16; j++) {
                            int v = u8(data, at + 2 + j);
                            c[co + 32 * b + j] = ScalarKernels.IQ4_GRID[v & 0xF];
                            c[co + 32 * b + 16 + j] = ScalarKernels.IQ4_GRID[v >>> 4];
                        }
                    }
                }
                default -> throw new IllegalStateException(type.toString());
            }
        }

        /** Per lane and block 32/L products of at most 128 * 127: exact. */
        @Override public float dot(Activation x, DecodedRow row, int slot) {
            float[] yq = x.q8f(), yd = x.q8d(), c = row.codes, d = row.d;
            int co = slot * cols;
            FloatVector acc = FloatVector.zero(F);
            for (int b = 0; b < blocks; b++) {
                int o = 32 * b;
                FloatVector p = block(c, co + o, yq, o);
                acc = p.fma(splat(d[4 * b + slot] * yd[b]), acc);
            }
            return sumLanes(acc);
        }

        @Override public void dot4x2(Activation xa, Activation xb, DecodedRow row, float[] out) {
            if (L != 16) {
                RowDecoder.super.dot4x2(xa, xb, row, out);
                return;
            }
            float[] qa = xa.q8f(), da = xa.q8d(), qb = xb.q8f(), db = xb.q8d(), c = row.codes, d = row.d;
            FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
            for (int b = 0; b < blocks; b++) {
                int o = 32 * b;
                FloatVector ya0 = y(qa, o), ya1 = y(qa, o + 16), yb0 = y(qb, o), yb1 = y(qb, o + 16);
                float dya = da[b], dyb = db[b];
                FloatVector c0 = y(c, o), c1 = y(c, o + 16);
                float s = d[4 * b];
                a0 = c1.fma(ya1, c0.fma(ya0, FloatVector.zero(F))).fma(splat(s * dya), a0);
                b0 = c1.fma(yb1, c0.fma(yb0, FloatVector.zero(F))).fma(splat(s * dyb), b0);
                c0 = y(c, cols + o);
                c1 = y(c, cols + o + 16);
                s = d[4 * b + 1];
                a1 = c1.fma(ya1, c0.fma(ya0, FloatVector.zero(F))).fma(splat(s * dya), a1);
                b1 = c1.fma(yb1, c0.fma(yb0, FloatVector.zero(F))).fma(splat(s * dyb), b1);
                c0 = y(c, 2 * cols + o);
                c1 = y(c, 2 * cols + o + 16);
                s = d[4 * b + 2];
                a2 = c1.fma(ya1, c0.fma(ya0, FloatVector.zero(F))).fma(splat(s * dya), a2);
                b2 = c1.fma(yb1, c0.fma(yb0, FloatVector.zero(F))).fma(splat(s * dyb), b2);
                c0 = y(c, 3 * cols + o);
                c1 = y(c, 3 * cols + o + 16);
                s = d[4 * b + 3];
                a3 = c1.fma(ya1, c0.fma(ya0, FloatVector.zero(F))).fma(splat(s * dya), a3);
                b3 = c1.fma(yb1, c0.fma(yb0, FloatVector.zero(F))).fma(splat(s * dyb), b3);
            }
            out[0] = sumLanes(a0);
            out[1] = sumLanes(a1);
            out[2] = sumLanes(a2);
            out[3] = sumLanes(a3);
            out[4] = sumLanes(b0);
            out[5] = sumLanes(b1);
            out[6] = sumLanes(b2);
            out[7] = sumLanes(b3);
        }

        /** One block's 32 products, lane-wise (exact integers). */
        private static FloatVector block(float[] c, int co, float[] yq, int o) {
            FloatVector p = y(c, co).fma(y(yq, o), FloatVector.zero(F));
            p = y(c, co + L).fma(y(yq, o + L), p);
            if (L == 8) {
                p = y(c, co + 16).fma(y(yq, o + 16), p);
                p = y(c, co + 24).fma(y(yq, o + 24), p);
            }
            return p;
        }
    }

    /**
     * Q4_K and Q5_K (8 groups of 32) and Q2_K (16 groups of 16): codes times their group scale (at most 31 * 63),
     * the mins' part from the activation's group sums. Each block's exact lanes are scaled by {@code d * d_y}
     * lane-wise, as the vector kernels do.
     */
    private record Q4K(DType type, int cols, int blocks) implements RowDecoder {
        /** Groups per block: Q2_K's 16 of 16 weights, else 8 of 32. */
        int groups() { return type == DType.Q2_K ? 16 : 8; }

        @Override public void decode(MemorySegment data, long rowAt, DecodedRow row, int slot) {
            if (type == DType.Q2_K) {
                decodeQ2K(data, rowAt, row, slot);
                return;
            }
            boolean five = type == DType.Q5_K;
            float[] c = row.codes;
            int co = slot * cols;
            for (int b = 0; b < blocks; b++) {
                long at = rowAt + (five ? 176L : 144L) * b;
                row.d[4 * b + slot] = half(data, at);
                row.dmin[4 * b + slot] = half(data, at + 2);
                long scales = kScales(data, at + 4), mins = kMins(data, at + 4);
                for (int g = 0; g < 8; g++) row.groups[(16 * b + g) * 4 + slot] = byteAt(mins, g);
                int cb = co + 256 * b;
                if (five) {
                    for (int g = 0; g < 8; g++) {
                        long q = at + 48 + 32L * (g >>> 1);
                        int shift = 4 * (g & 1), sc = byteAt(scales, g);
                        for (int l = 0; l < 32; l++) {
                            int code = ((u8(data, q + l) >>> shift) & 0xF) | ((u8(data, at + 16 + l) >>> g) & 1) << 4;
                            c[cb + 32 * g + l] = code * sc;
                        }
                    }
                } else {
                    for (int run = 0; run < 4; run++) {
                        float s1 = byteAt(scales, 2 * run), s2 = byteAt(scales, 2 * run + 1);
                        for (int o = 0; o < 32; o += L) {
                            ByteVector v = bytes(data, at + 16 + 32 * run + o);
                            floats(v.and((byte) 0xF)).mul(s1).intoArray(c, cb + 64 * run + o);
                            floats(field(v, 4, 0xF)).mul(s2).intoArray(c, cb + 64 * run + 32 + o);
                        }
                    }
                }
            }
        }

        /** Q2_K: 2-bit codes times their 4-bit group scale; the 4-bit mins and the block's two F16 scales. */
        private void decodeQ2K(MemorySegment data, long rowAt, DecodedRow row, int slot) {
            float[] c = row.codes;
            int co = slot * cols;
            for (int b = 0; b < blocks; b++) {
                long at = rowAt + 84L * b;
                row.d[4 * b + slot] = half(data, at + 80);
                row.dmin[4 * b + slot] = half(data, at + 82);
                for (int g = 0; g < 16; g++) {
                    int sc = u8(data, at + g);
                    row.groups[(16 * b + g) * 4 + slot] = sc >>> 4;
                    // group g: half g/8, bit pair (g%8)/2, bytes 16*(g%2).. of that half's 32 code bytes
                    long q = at + 16 + 32L * (g >>> 3) + 16 * (g & 1);
                    int shift = 2 * ((g & 7) >>> 1), cb = co + 256 * b + 16 * g;
                    for (int l = 0; l < 16; l++) c[cb + l] = ((u8(data, q + l) >>> shift) & 3) * (sc & 0xF);
                }
            }
        }

        /** Per lane and block 256/L products of at most 31 * 63 * 127: exact. */
        @Override public float dot(Activation x, DecodedRow row, int slot) {
            float[] yq = x.qkf(), yd = x.qkd(), c = row.codes;
            int[] bsums = x.qkSums();
            int co = slot * cols, groups = groups();
            FloatVector acc = FloatVector.zero(F);
            float minPart = 0;
            for (int b = 0; b < blocks; b++) {
                int o = 256 * b;
                FloatVector blk = FloatVector.zero(F);
                for (int i = 0; i < 256; i += L) blk = y(c, co + o + i).fma(y(yq, o + i), blk);
                int summs = 0;
                for (int g = 0; g < groups; g++) {
                    int sum = groups == 16 ? bsums[16 * b + g] : bsums[16 * b + 2 * g] + bsums[16 * b + 2 * g + 1];
                    summs += (int) row.groups[(16 * b + g) * 4 + slot] * sum;
                }
                float dy = yd[b];
                acc = blk.fma(splat(dy * row.d[4 * b + slot]), acc);
                minPart += dy * row.dmin[4 * b + slot] * summs;
            }
            return sumLanes(acc) - minPart;
        }

        @Override public void dot4x2(Activation xa, Activation xb, DecodedRow row, float[] out) {
            float[] qa = xa.qkf(), da = xa.qkd(), qb = xb.qkf(), db = xb.qkd(), c = row.codes, d = row.d;
            int groups = groups();
            float[] sa = groups == 16 ? xa.qkSums16f() : xa.qkSums32f(), sb = groups == 16 ? xb.qkSums16f() : xb.qkSums32f();
            float[] mins4 = row.groups, dmin4 = row.dmin;
            FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
            FloatVector ma = FloatVector.zero(F4), mb = ma;
            for (int b = 0; b < blocks; b++) {
                int o = 256 * b;
                FloatVector p0 = FloatVector.zero(F), p1 = p0, p2 = p0, p3 = p0, q0 = p0, q1 = p0, q2 = p0, q3 = p0;
                for (int i = o; i < o + 256; i += L) {
                    FloatVector va = y(qa, i), vb = y(qb, i);
                    FloatVector w = y(c, i);
                    p0 = w.fma(va, p0);
                    q0 = w.fma(vb, q0);
                    w = y(c, cols + i);
                    p1 = w.fma(va, p1);
                    q1 = w.fma(vb, q1);
                    w = y(c, 2 * cols + i);
                    p2 = w.fma(va, p2);
                    q2 = w.fma(vb, q2);
                    w = y(c, 3 * cols + i);
                    p3 = w.fma(va, p3);
                    q3 = w.fma(vb, q3);
                }
                float dya = da[b], dyb = db[b];
                a0 = p0.fma(splat(dya * d[4 * b]), a0);
                a1 = p1.fma(splat(dya * d[4 * b + 1]), a1);
                a2 = p2.fma(splat(dya * d[4 * b + 2]), a2);
                a3 = p3.fma(splat(dya * d[4 * b + 3]), a3);
                b0 = q0.fma(splat(dyb * d[4 * b]), b0);
                b1 = q1.fma(splat(dyb * d[4 * b + 1]), b1);
                b2 = q2.fma(splat(dyb * d[4 * b + 2]), b2);
                b3 = q3.fma(splat(dyb * d[4 * b + 3]), b3);
                // the four rows' summs (exact integers: at most 8 * 63 * 4064, Q2_K 16 * 15 * 2032) and then,
                // lane-wise, the scalar path's minPart += (dy * dmin) * summs
                FloatVector sumsA = FloatVector.zero(F4), sumsB = sumsA;
                for (int g = 0; g < groups; g++) {
                    FloatVector m4 = FloatVector.fromArray(F4, mins4, (16 * b + g) * 4);
                    sumsA = m4.fma(FloatVector.broadcast(F4, sa[groups * b + g]), sumsA);
                    sumsB = m4.fma(FloatVector.broadcast(F4, sb[groups * b + g]), sumsB);
                }
                FloatVector dm = FloatVector.fromArray(F4, dmin4, 4 * b);
                ma = ma.add(dm.mul(dya).mul(sumsA));
                mb = mb.add(dm.mul(dyb).mul(sumsB));
            }
            float m0 = ma.lane(0), m1 = ma.lane(1), m2 = ma.lane(2), m3 = ma.lane(3);
            float n0 = mb.lane(0), n1 = mb.lane(1), n2 = mb.lane(2), n3 = mb.lane(3);
            out[0] = sumLanes(a0) - m0;
            out[1] = sumLanes(a1) - m1;
            out[2] = sumLanes(a2) - m2;
            out[3] = sumLanes(a3) - m3;
            out[4] = sumLanes(b0) - n0;
            out[5] = sumLanes(b1) - n1;
            out[6] = sumLanes(b2) - n2;
            out[7] = sumLanes(b3) - n3;
        }

    }

    /**
     * Q6_K and Q3_K: unsigned codes (Q6_K's 6-bit ones, Q3_K's codes plus 4) times their signed group scale; the
     * offset (32, or 4) comes off through the activation's 16-element sums. Each half block's (Q3_K: block's)
     * exact lanes are scaled by {@code d * d_y}, as the vector kernels do.
     */
    private record Q6K(DType type, int cols, int blocks) implements RowDecoder {
        /** Weights scaled together by {@code d * d_y}: Q6_K's half blocks, Q3_K's whole blocks. */
        int span() { return type == DType.Q3_K ? 256 : 128; }

        /** What the stored codes exceed the signed ones by. */
        int offset() { return type == DType.Q3_K ? 4 : 32; }

        @Override public void decode(MemorySegment data, long rowAt, DecodedRow row, int slot) {
            if (type == DType.Q3_K) {
                decodeQ3K(data, rowAt, row, slot);
                return;
            }
            float[] c = row.codes;
            int co = slot * cols;
            for (int b = 0; b < blocks; b++) {
                long at = rowAt + 210L * b;
                row.d[4 * b + slot] = half(data, at + 208);
                for (int g = 0; g < 16; g++) row.groups[(16 * b + g) * 4 + slot] = data.get(Layouts.I8, at + 192 + g);
                for (int half = 0; half < 2; half++) {
                    long scales = data.get(Layouts.I64, at + 192 + 8L * half);
                    for (int o = 0; o < 32; o += L) {
                        long sc = scales >>> (8 * (o >>> 4));
                        long ql = at + 64L * half + o;
                        ByteVector a = bytes(data, ql), a2 = bytes(data, ql + 32), h = bytes(data, at + 128 + 32L * half + o);
                        int base = co + 256 * b + 128 * half + o;
                        floats(a.and((byte) 0xF).or(fieldUp(h, 4, 0x30))).mul((byte) sc).intoArray(c, base);
                        floats(a2.and((byte) 0xF).or(fieldUp(h, 2, 0x30))).mul((byte) (sc >>> 16)).intoArray(c, base + 32);
                        floats(field(a, 4, 0xF).or(h.and((byte) 0x30))).mul((byte) (sc >>> 32)).intoArray(c, base + 64);
                        floats(field(a2, 4, 0xF).or(field(h, 2, 0x30))).mul((byte) (sc >>> 48)).intoArray(c, base + 96);
                    }
                }
            }
        }

        /** Q3_K: codes plus 4 (low two bits, hmask bit as bit 2) times their signed 6-bit group scale. */
        private void decodeQ3K(MemorySegment data, long rowAt, DecodedRow row, int slot) {
            float[] c = row.codes;
            int co = slot * cols;
            for (int b = 0; b < blocks; b++) {
                long at = rowAt + 110L * b;
                row.d[4 * b + slot] = half(data, at + 108);
                for (int g = 0; g < 16; g++) {
                    int sc = ScalarKernels.q3Scale(data, at + 96, g);
                    row.groups[(16 * b + g) * 4 + slot] = sc;
                    int half = g >>> 3, pair = (g & 7) >>> 1, part = 16 * (g & 1);
                    long q = at + 32 + 32L * half + part, h = at + part;
                    int shift = 2 * pair, bit = 4 * half + pair, cb = co + 256 * b + 16 * g;
                    for (int l = 0; l < 16; l++) {
                        int code = ((u8(data, q + l) >>> shift) & 3) | ((u8(data, h + l) >>> bit) & 1) << 2;
                        c[cb + l] = code * sc;
                    }
                }
            }
        }

        /** Per lane and span span/L products of at most 63 * 128 * 127 (Q3_K 7 * 128 * 32): exact. */
        @Override public float dot(Activation x, DecodedRow row, int slot) {
            float[] yq = x.qkf(), yd = x.qkd(), c = row.codes;
            int[] bsums = x.qkSums();
            int co = slot * cols, span = span(), off = offset();
            FloatVector acc = FloatVector.zero(F);
            float offsetPart = 0;
            for (int b = 0; b < blocks; b++) {
                float dd = row.d[4 * b + slot] * yd[b];
                for (int o = 256 * b; o < 256 * b + 256; o += span) {
                    FloatVector blk = FloatVector.zero(F);
                    for (int i = o; i < o + span; i += L) blk = y(c, co + i).fma(y(yq, i), blk);
                    acc = blk.fma(splat(dd), acc);
                }
                int offset = 0;
                for (int g = 0; g < 16; g++) offset += (int) row.groups[(16 * b + g) * 4 + slot] * bsums[16 * b + g];
                offsetPart += dd * (off * offset);
            }
            return sumLanes(acc) - offsetPart;
        }

        @Override public void dot4x2(Activation xa, Activation xb, DecodedRow row, float[] out) {
            float[] qa = xa.qkf(), da = xa.qkd(), qb = xb.qkf(), db = xb.qkd(), c = row.codes, d = row.d;
            float[] sa = xa.qkSums16f(), sb = xb.qkSums16f(), scales4 = row.groups, d4 = row.d;
            int span = span();
            float off = offset();
            FloatVector fa = FloatVector.zero(F4), fb = fa;
            FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
            for (int b = 0; b < blocks; b++) {
                float dya = da[b], dyb = db[b];
                float e0 = d[4 * b], e1 = d[4 * b + 1], e2 = d[4 * b + 2], e3 = d[4 * b + 3];
                for (int o = 256 * b; o < 256 * b + 256; o += span) {
                    FloatVector p0 = FloatVector.zero(F), p1 = p0, p2 = p0, p3 = p0, q0 = p0, q1 = p0, q2 = p0, q3 = p0;
                    for (int i = o; i < o + span; i += L) {
                        FloatVector va = y(qa, i), vb = y(qb, i);
                        FloatVector w = y(c, i);
                        p0 = w.fma(va, p0);
                        q0 = w.fma(vb, q0);
                        w = y(c, cols + i);
                        p1 = w.fma(va, p1);
                        q1 = w.fma(vb, q1);
                        w = y(c, 2 * cols + i);
                        p2 = w.fma(va, p2);
                        q2 = w.fma(vb, q2);
                        w = y(c, 3 * cols + i);
                        p3 = w.fma(va, p3);
                        q3 = w.fma(vb, q3);
                    }
                    a0 = p0.fma(splat(e0 * dya), a0);
                    a1 = p1.fma(splat(e1 * dya), a1);
                    a2 = p2.fma(splat(e2 * dya), a2);
                    a3 = p3.fma(splat(e3 * dya), a3);
                    b0 = q0.fma(splat(e0 * dyb), b0);
                    b1 = q1.fma(splat(e1 * dyb), b1);
                    b2 = q2.fma(splat(e2 * dyb), b2);
                    b3 = q3.fma(splat(e3 * dyb), b3);
                }
                // the four rows' offsets (exact integers: at most 16 * 128 * 2032; times 32 stays exact) and then,
                // lane-wise, the scalar path's offsetPart += dd * (32 * offset) (Q3_K: 4 * offset)
                FloatVector offA = FloatVector.zero(F4), offB = offA;
                for (int g = 0; g < 16; g++) {
                    FloatVector s4 = FloatVector.fromArray(F4, scales4, (16 * b + g) * 4);
                    offA = s4.fma(FloatVector.broadcast(F4, sa[16 * b + g]), offA);
                    offB = s4.fma(FloatVector.broadcast(F4, sb[16 * b + g]), offB);
                }
                FloatVector dv = FloatVector.fromArray(F4, d4, 4 * b);
                fa = fa.add(dv.mul(dya).mul(offA.mul(off)));
                fb = fb.add(dv.mul(dyb).mul(offB.mul(off)));
            }
            float f0 = fa.lane(0), f1 = fa.lane(1), f2 = fa.lane(2), f3 = fa.lane(3);
            float g0 = fb.lane(0), g1 = fb.lane(1), g2 = fb.lane(2), g3 = fb.lane(3);
            out[0] = sumLanes(a0) - f0;
            out[1] = sumLanes(a1) - f1;
            out[2] = sumLanes(a2) - f2;
            out[3] = sumLanes(a3) - f3;
            out[4] = sumLanes(b0) - g0;
            out[5] = sumLanes(b1) - g1;
            out[6] = sumLanes(b2) - g2;
            out[7] = sumLanes(b3) - g3;
        }

    }
}
