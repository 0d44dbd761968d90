package dev.quantscope.engine.kernel;

import dev.quantscope.tensor.Layouts;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.Arrays;

import static dev.quantscope.engine.kernel.ScalarKernels.half;
import static dev.quantscope.engine.kernel.ScalarKernels.u8;
import static dev.quantscope.engine.kernel.VectorKernels.B;
import static dev.quantscope.engine.kernel.VectorKernels.F;
import static dev.quantscope.engine.kernel.VectorKernels.L;

/**
 * The batched (prompt processing) path of the vector kernels: a matrix product. Each tile of up to {@link #ROWS}
 * weight rows is dequantized once to floats (what ggml's dequantizers give: {@code d·q}, or
 * {@code d·scale·q − dmin·min} for the K-quants), and a register-blocked micro-kernel ({@link #dotTile})
 * multiplies it, {@link #CHUNK} columns at a time, with every token of the batch: 8 rows × 2 vectors of tokens of
 * accumulators stay in registers, each decoded weight is broadcast once per {@link #TOKENS} tokens and each
 * activation vector loaded once per 8 rows. The activations are the form ggml's batched path multiplies with:
 * quantized to the kernel's {@code vec_dot_type} (Q8_0 or Q8_K) and dequantized ({@code code × d}), or rounded to
 * F16/BF16 for float weights; they are packed once per batch and thread ({@link DecodedRow}).
 *
 * <p>So a decoded weight is reused across the whole batch instead of being unpacked, scaled and reduced per token:
 * the inner loop is nothing but broadcasts, loads and fused multiply-adds, and each output lane is one (row,
 * token) product accumulated in column order, with no horizontal sums. The float arithmetic differs from the
 * matvec kernels' (block-exact integers, then scaled): results agree with them within rounding (at most 3.5e-7 of
 * the sum of |products| seen; the kernel tests check 3e-6 for every type, at 16 and 8 lanes).
 */
final class BatchKernels {
    private BatchKernels() {}

    /** Rows of a tile: the engine's row block (LlamaEngine.ROW_BLOCK), two passes of the micro-kernel's 8. */
    static final int ROWS = 16;

    /** Tokens of one micro-kernel pass: two float vectors. */
    static final int TOKENS = 2 * L;

    /**
     * Columns the micro-kernel runs over at a time: a multiple of every block size (256). 16 rows of them are 16 KB
     * and a token block's packed activations 16-32 KB, so both stay in the L1 cache while the micro-kernel runs over
     * them (the whole tile, up to 16 × 4096 floats, stays in L2). Also the constant stride of the tile's rows.
     */
    static final int CHUNK = Integer.getInteger("quantscope.kernel.gemmChunk", 256);

    /** Fewer tokens than this go through the per-token row kernels: the micro-kernel works on whole blocks of TOKENS. */
    static final int MIN_TOKENS = Integer.getInteger("quantscope.kernel.gemmMinTokens", 8);

    /** Activation forms, see {@link Activation}. */
    static final int ACT_F32 = 0, ACT_F16 = 1, ACT_BF16 = 2, ACT_Q8 = 3, ACT_Q8K = 4;

    /**
     * Q8_1, for Q4_1 and Q5_1: Q8_0's dequantized codes plus one extra column per block of 32. ggml's dot product
     * takes a block's min term as {@code m · s} with {@code s = d·Σcodes} stored as F16, which is up to 2^-12 off
     * the {@code m · d·Σcodes} that the decoded weights {@code d·q + m} give against the dequantized codes. The
     * extra column puts the difference back: weight {@code m}, activation {@code s − d·Σcodes}. (Without it the
     * batched results differed from the matvec's by up to 4.6e-4 of the sum of |products|.)
     */
    static final int ACT_Q8_1 = 5;

    /** Dequantizes whole blocks of a weight row to floats. */
    interface RowDecoder {
        /**
         * Columns {@code [k0, k0 + n)} of the row at byte {@code rowAt} into {@code w[wo…]}; k0 and n are whole
         * blocks.
         */
        void decode(MemorySegment data, long rowAt, int k0, int n, float[] w, int wo);

        /** The activation form this type's weights multiply with (ACT_*). */
        int activation();

        /**
         * For {@link #ACT_Q8_1} types (Q4_1, Q5_1): the mins of blocks {@code [b0, b0 + nb)} into {@code w[wo…]},
         * the weights of the extra columns (see {@link #ACT_Q8_1}).
         */
        default void decodeMins(MemorySegment data, long rowAt, int b0, int nb, float[] w, int wo) {
            throw new UnsupportedOperationException();
        }
    }

    static RowDecoder create(RowKernel k) {
        return switch (k.dtype) {
            case F32 -> new F32Row();
            case F16 -> new HalfRow(false);
            case BF16 -> new HalfRow(true);
            case Q8_0 -> new Q80();
            case Q4_0 -> new Q40();
            case Q4_1 -> new Q41();
            case IQ4_NL -> new IQ4NL();
            case Q5_0 -> new Q50();
            case Q5_1 -> new Q51();
            case Q4_K -> new Q4K();
            case Q5_K -> new Q5K();
            case Q6_K -> new Q6K();
            case Q2_K -> new Q2K();
            case Q3_K -> new Q3K();
            default -> null;
        };
    }

    // ------------------------------------------------------------------ the product

    /**
     * {@code outs[t][r] = Σ_k W[r][k]·x_t[k]} for tokens [t0, t1) and rows [rowStart, rowEnd) of the matrix whose
     * rows of {@code rowBytes} start at byte 0 of {@code data}. The activations must be prepared (their forms
     * current). Allocates nothing once the thread's scratch has grown.
     */
    static void product(RowDecoder dec, MemorySegment data, long rowBytes, int cols,
                        Activation[] xs, int t0, int t1, float[][] outs, int rowStart, int rowEnd) {
        int n = t1 - t0, padded = (n + TOKENS - 1) / TOKENS * TOKENS, chunk = Math.min(CHUNK, cols);
        int kind = dec.activation();
        // columns of xt: the row's, then (Q8_1) one per block, in chunks of their own after the row's chunks
        int extra = kind == ACT_Q8_1 ? cols >>> 5 : 0, width = cols + extra;
        int rowChunks = (cols + chunk - 1) / chunk, chunks = rowChunks + (extra + CHUNK - 1) / CHUNK;
        int tileFloats = ROWS * CHUNK;
        DecodedRow s = DecodedRow.forThisThread(chunks * tileFloats, ROWS * padded, padded, width);
        if (!packed(s, xs, t0, t1, kind, cols)) {
            pack(xs, t0, t1, kind, cols, s.xt);
            s.packedFrom = xs;
            s.packedT0 = t0;
            s.packedT1 = t1;
            s.packedKind = kind;
            s.packedCols = cols;
            for (int t = t0; t < t1; t++) s.packedVersions[t - t0] = xs[t].version();
        }
        float[] w = s.w, p = s.p, xt = s.xt;
        for (int r0 = rowStart; r0 < rowEnd; r0 += ROWS) {
            int nr = Math.min(ROWS, rowEnd - r0);
            // The whole tile decoded first, row by row: each row is then one sequential read of the mapped file, which
            // the hardware prefetcher follows (chunk by chunk across 16 rows it did not: F16's decode took a quarter
            // of the product's time). Layout [chunk][row][CHUNK], rows CHUNK apart as the micro-kernel wants.
            for (int r = 0; r < nr; r++) {
                long at = (r0 + r) * rowBytes;
                for (int c = 0, k0 = 0; k0 < cols; c++, k0 += chunk) {
                    dec.decode(data, at, k0, Math.min(chunk, cols - k0), w, c * tileFloats + r * CHUNK);
                }
                for (int c = rowChunks, e0 = 0; e0 < extra; c++, e0 += CHUNK) {
                    dec.decodeMins(data, at, e0, Math.min(CHUNK, extra - e0), w, c * tileFloats + r * CHUNK);
                }
            }
            // a short last tile: the missing rows multiply as zeros and are not written out
            if (nr < ROWS) for (int c = 0; c < chunks; c++) Arrays.fill(w, c * tileFloats + nr * CHUNK, (c + 1) * tileFloats, 0f);
            Arrays.fill(p, 0, ROWS * padded, 0f);
            for (int c = 0; c < chunks; c++) {
                int x0 = c < rowChunks ? c * chunk : cols + (c - rowChunks) * CHUNK;
                int kn = c < rowChunks ? Math.min(chunk, cols - x0) : Math.min(CHUNK, width - x0), wo = c * tileFloats;
                for (int tb = 0; tb < padded; tb += TOKENS) {
                    int xo = tb * width + x0 * TOKENS;
                    dotTile(w, wo, kn, xt, xo, p, tb, padded);
                    if (nr > 8) dotTile(w, wo + 8 * CHUNK, kn, xt, xo, p, 8 * padded + tb, padded);
                }
            }
            // token outer: each output array is fetched (and its bounds checked) once per tile
            for (int t = t0; t < t1; t++) {
                float[] out = outs[t];
                int po = t - t0;
                for (int r = 0; r < nr; r++) out[r0 + r] = p[r * padded + po];
            }
        }
    }

    /** Whether the thread's packed activations are those of {@code xs[t0, t1)} as they are now. */
    private static boolean packed(DecodedRow s, Activation[] xs, int t0, int t1, int kind, int cols) {
        if (s.packedFrom != xs || s.packedT0 != t0 || s.packedT1 != t1 || s.packedKind != kind || s.packedCols != cols) {
            return false;
        }
        int[] v = s.packedVersions;
        for (int t = t0; t < t1; t++) if (v[t - t0] != xs[t].version()) return false;
        return true;
    }

    /**
     * Dequantizes tokens [t0, t1) into {@code xt} as {@code [token block][k][token in block]}, the padding tokens
     * of the last block as zeros. Runs of 64 columns at a time across a block's tokens: the 64 × TOKENS floats
     * written (8 KB) stay in L1 while every token fills its lane (token by token over all columns, each write
     * went to another cache line of a block too large for L1).
     */
    static void pack(Activation[] xs, int t0, int t1, int kind, int cols, float[] xt) {
        int n = t1 - t0, padded = (n + TOKENS - 1) / TOKENS * TOKENS;
        int extra = kind == ACT_Q8_1 ? cols >>> 5 : 0, width = cols + extra;
        for (int tb = 0; tb < padded; tb += TOKENS) {
            int blockBase = tb * width;
            for (int k0 = 0; k0 < width; k0 += 64) {
                int k1 = Math.min(width, k0 + 64), r1 = Math.min(cols, k1);
                for (int j = 0; j < TOKENS; j++) {
                    int base = blockBase + j, t = tb + j;
                    if (t >= n) {
                        for (int k = k0; k < k1; k++) xt[base + k * TOKENS] = 0f;
                        continue;
                    }
                    Activation x = xs[t0 + t];
                    switch (kind) {
                        case ACT_Q8, ACT_Q8_1 -> {
                            float[] q = x.q8f(), d = x.q8d();
                            for (int k = k0; k < r1; k++) xt[base + k * TOKENS] = q[k] * d[k >>> 5];
                            if (k1 > cols) {
                                // the extra columns: s − d·Σcodes per block (see ACT_Q8_1)
                                float[] qs = x.q8s();
                                int[] sums = x.q8sum();
                                for (int k = Math.max(k0, cols); k < k1; k++) {
                                    int b = k - cols;
                                    xt[base + k * TOKENS] = qs[b] - d[b] * sums[b];
                                }
                            }
                        }
                        case ACT_Q8K -> {
                            float[] q = x.qkf(), d = x.qkd();
                            for (int k = k0; k < k1; k++) xt[base + k * TOKENS] = q[k] * d[k >>> 8];
                        }
                        default -> {
                            float[] v = kind == ACT_F16 ? x.f16() : kind == ACT_BF16 ? x.bf16() : x.values();
                            for (int k = k0; k < k1; k++) xt[base + k * TOKENS] = v[k];
                        }
                    }
                }
            }
        }
    }

    /**
     * The micro-kernel: {@code p[po + r·ps + j] += Σ_{k<kc} w[wo + r·CHUNK + k] · xt[xo + k·TOKENS + j]} for 8 rows r
     * and TOKENS tokens j, each sum one fused multiply-add chain in k order (bit for bit {@link #dotTileScalar}).
     * Sixteen accumulators (8 rows × 2 token vectors) stay in registers; per column the loop loads two activation
     * vectors and broadcasts 8 weights for 16 multiply-adds. Vector API calls only, written out (no helper of ours
     * that could be left un-inlined and box the vectors); the launcher compiles it on its own (dontinline dot*).
     */
    static void dotTile(float[] w, int wo, int kc, float[] xt, int xo, float[] p, int po, int ps) {
        int p0 = po, p1 = p0 + ps, p2 = p1 + ps, p3 = p2 + ps, p4 = p3 + ps, p5 = p4 + ps, p6 = p5 + ps, p7 = p6 + ps;
        FloatVector a0 = FloatVector.fromArray(F, p, p0), b0 = FloatVector.fromArray(F, p, p0 + L);
        FloatVector a1 = FloatVector.fromArray(F, p, p1), b1 = FloatVector.fromArray(F, p, p1 + L);
        FloatVector a2 = FloatVector.fromArray(F, p, p2), b2 = FloatVector.fromArray(F, p, p2 + L);
        FloatVector a3 = FloatVector.fromArray(F, p, p3), b3 = FloatVector.fromArray(F, p, p3 + L);
        FloatVector a4 = FloatVector.fromArray(F, p, p4), b4 = FloatVector.fromArray(F, p, p4 + L);
        FloatVector a5 = FloatVector.fromArray(F, p, p5), b5 = FloatVector.fromArray(F, p, p5 + L);
        FloatVector a6 = FloatVector.fromArray(F, p, p6), b6 = FloatVector.fromArray(F, p, p6 + L);
        FloatVector a7 = FloatVector.fromArray(F, p, p7), b7 = FloatVector.fromArray(F, p, p7 + L);
        // The rows lie CHUNK (a constant) apart: the eight weights of a column are one index register plus constant
        // displacements, instead of eight address computations per column.
        for (int k = wo, end = wo + kc, x = xo; k < end; k++, x += TOKENS) {
            FloatVector x0 = FloatVector.fromArray(F, xt, x), x1 = FloatVector.fromArray(F, xt, x + L);
            FloatVector s = FloatVector.broadcast(F, w[k]);
            a0 = s.fma(x0, a0);
            b0 = s.fma(x1, b0);
            s = FloatVector.broadcast(F, w[k + 1 * CHUNK]);
            a1 = s.fma(x0, a1);
            b1 = s.fma(x1, b1);
            s = FloatVector.broadcast(F, w[k + 2 * CHUNK]);
            a2 = s.fma(x0, a2);
            b2 = s.fma(x1, b2);
            s = FloatVector.broadcast(F, w[k + 3 * CHUNK]);
            a3 = s.fma(x0, a3);
            b3 = s.fma(x1, b3);
            s = FloatVector.broadcast(F, w[k + 4 * CHUNK]);
            a4 = s.fma(x0, a4);
            b4 = s.fma(x1, b4);
            s = FloatVector.broadcast(F, w[k + 5 * CHUNK]);
            a5 = s.fma(x0, a5);
            b5 = s.fma(x1, b5);
            s = FloatVector.broadcast(F, w[k + 6 * CHUNK]);
            a6 = s.fma(x0, a6);
            b6 = s.fma(x1, b6);
            s = FloatVector.broadcast(F, w[k + 7 * CHUNK]);
            a7 = s.fma(x0, a7);
            b7 = s.fma(x1, b7);
        }
        a0.intoArray(p, p0);
        b0.intoArray(p, p0 + L);
        a1.intoArray(p, p1);
        b1.intoArray(p, p1 + L);
        a2.intoArray(p, p2);
        b2.intoArray(p, p2 + L);
        a3.intoArray(p, p3);
        b3.intoArray(p, p3 + L);
        a4.intoArray(p, p4);
        b4.intoArray(p, p4 + L);
        a5.intoArray(p, p5);
        b5.intoArray(p, p5 + L);
        a6.intoArray(p, p6);
        b6.intoArray(p, p6 + L);
        a7.intoArray(p, p7);
        b7.intoArray(p, p7 + L);
    }

    /** The reference for {@link #dotTile}: the same sums, one fused multiply-add at a time. */
    static void dotTileScalar(float[] w, int wo, int kc, float[] xt, int xo, float[] p, int po, int ps) {
        for (int r = 0; r < 8; r++) {
            for (int j = 0; j < TOKENS; j++) {
                float acc = p[po + r * ps + j];
                for (int k = 0; k < kc; k++) acc = Math.fma(w[wo + r * CHUNK + k], xt[xo + k * TOKENS + j], acc);
                p[po + r * ps + j] = acc;
            }
        }
    }

    // ------------------------------------------------------------------ decoders

    /** F32 rows: copied. */
    private record F32Row() implements RowDecoder {
        @Override public int activation() { return ACT_F32; }

        @Override public void decode(MemorySegment data, long rowAt, int k0, int n, float[] w, int wo) {
            MemorySegment.copy(data, Layouts.F32, rowAt + 4L * k0, w, wo, n);
        }
    }

    /** F16/BF16 rows converted to floats (exactly: every half and bfloat16 is a float). */
    private record HalfRow(boolean bf16) implements RowDecoder {
        @Override public int activation() { return bf16 ? ACT_BF16 : ACT_F16; }

        @Override public void decode(MemorySegment data, long rowAt, int k0, int n, float[] w, int wo) {
            long at = rowAt + 2L * k0;
            int i = 0;
            // Not VectorKernels.halfToFloat: called from here during a prompt, that method gets hot and is compiled
            // on its own into code too big for C2 to inline into the F16 row kernel afterwards, which then boxes
            // every vector (measured: generation 5x slower after a long prompt). Same conversion, spelled out.
            for (; i + L <= n; i += L) {
                IntVector h = (IntVector) ShortVector.fromMemorySegment(VectorKernels.S, data, at + 2L * i, ByteOrder.LITTLE_ENDIAN)
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
                v.intoArray(w, wo + i);
            }
            for (; i < n; i++) {
                w[wo + i] = bf16 ? Float.intBitsToFloat(data.get(Layouts.I16, at + 2L * i) << 16) : half(data, at + 2L * i);
            }
        }
    }

    /** Q8_0: {@code d·q}. (Each vector type its own class, to keep every decode within C2's inlining budget.) */
    private record Q80() implements RowDecoder {
        @Override public int activation() { return ACT_Q8; }

        @Override public void decode(MemorySegment data, long rowAt, int k0, int n, float[] w, int wo) {
            int b0 = k0 >>> 5, b1 = b0 + (n >>> 5);
            for (int b = b0, o = wo; b < b1; b++, o += 32) {
                long at = rowAt + 34L * b;
                float d = half(data, at);
                for (int j = 0; j < 32; j += L) {
                    ((FloatVector) ByteVector.fromMemorySegment(B, data, at + 2 + j, ByteOrder.LITTLE_ENDIAN)
                            .convertShape(VectorOperators.B2F, F, 0)).mul(d).intoArray(w, o + j);
                }
            }
        }
    }

    /** Q4_0: {@code d·(q − 8)}. */
    private record Q40() implements RowDecoder {
        @Override public int activation() { return ACT_Q8; }

        @Override public void decode(MemorySegment data, long rowAt, int k0, int n, float[] w, int wo) {
            int b0 = k0 >>> 5, b1 = b0 + (n >>> 5);
            for (int b = b0, o = wo; b < b1; b++, o += 32) {
                long at = rowAt + 18L * b;
                float d = half(data, at);
                for (int j = 0; j < 16; j += L) {
                    ByteVector v = ByteVector.fromMemorySegment(B, data, at + 2 + j, ByteOrder.LITTLE_ENDIAN);
                    ByteVector lo = v.and((byte) 0xF).sub((byte) 8);
                    // x86 has no byte shift: shift 32-bit lanes and mask off what crossed over
                    ByteVector hi = v.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes()
                            .and((byte) 0xF).sub((byte) 8);
                    ((FloatVector) lo.convertShape(VectorOperators.B2F, F, 0)).mul(d).intoArray(w, o + j);
                    ((FloatVector) hi.convertShape(VectorOperators.B2F, F, 0)).mul(d).intoArray(w, o + 16 + j);
                }
            }
        }
    }

    /** Q4_1: {@code d·q + m}. */
    private record Q41() implements RowDecoder {
        @Override public int activation() { return ACT_Q8_1; }

        @Override public void decodeMins(MemorySegment data, long rowAt, int b0, int nb, float[] w, int wo) {
            for (int i = 0; i < nb; i++) w[wo + i] = half(data, rowAt + 20L * (b0 + i) + 2);
        }

        @Override public void decode(MemorySegment data, long rowAt, int k0, int n, float[] w, int wo) {
            int b0 = k0 >>> 5, b1 = b0 + (n >>> 5);
            for (int b = b0, o = wo; b < b1; b++, o += 32) {
                long at = rowAt + 20L * b;
                float d = half(data, at), m = half(data, at + 2);
                for (int j = 0; j < 16; j += L) {
                    ByteVector v = ByteVector.fromMemorySegment(B, data, at + 4 + j, ByteOrder.LITTLE_ENDIAN);
                    ByteVector lo = v.and((byte) 0xF);
                    ByteVector hi = v.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 0xF);
                    ((FloatVector) lo.convertShape(VectorOperators.B2F, F, 0)).mul(d).add(m).intoArray(w, o + j);
                    ((FloatVector) hi.convertShape(VectorOperators.B2F, F, 0)).mul(d).add(m).intoArray(w, o + 16 + j);
                }
            }
        }
    }

    /** IQ4_NL: {@code d·grid[q]}, the grid looked up with a byte shuffle (16 entries, one 128-bit vector). */
    private record IQ4NL() implements RowDecoder {
        private static final jdk.incubator.vector.VectorSpecies<Byte> B16 = ByteVector.SPECIES_128;
        private static final ByteVector GRID = grid();

        private static ByteVector grid() {
            byte[] g = new byte[16];
            for (int i = 0; i < 16; i++) g[i] = (byte) ScalarKernels.IQ4_GRID[i];
            return ByteVector.fromArray(B16, g, 0);
        }

        @Override public int activation() { return ACT_Q8; }

        @Override public void decode(MemorySegment data, long rowAt, int k0, int n, float[] w, int wo) {
            int b0 = k0 >>> 5, b1 = b0 + (n >>> 5);
            for (int b = b0, o = wo; b < b1; b++, o += 32) {
                long at = rowAt + 18L * b;
                float d = half(data, at);
                ByteVector v = ByteVector.fromMemorySegment(B16, data, at + 2, ByteOrder.LITTLE_ENDIAN);
                ByteVector lo = GRID.rearrange(v.and((byte) 0xF).toShuffle());
                ByteVector hi = GRID.rearrange(v.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes()
                        .and((byte) 0xF).toShuffle());
                // 16 codes per vector: one float vector of 16 lanes, or two of 8 (parts 0 and 1)
                ((FloatVector) lo.convertShape(VectorOperators.B2F, F, 0)).mul(d).intoArray(w, o);
                ((FloatVector) hi.convertShape(VectorOperators.B2F, F, 0)).mul(d).intoArray(w, o + 16);
                if (L == 8) {
                    ((FloatVector) lo.convertShape(VectorOperators.B2F, F, 1)).mul(d).intoArray(w, o + 8);
                    ((FloatVector) hi.convertShape(VectorOperators.B2F, F, 1)).mul(d).intoArray(w, o + 24);
                }
            }
        }
    }

    /** Shift counts 0..31: lane j of a vector loaded at j0 moves bit j0 + j of a block's 32-bit qh down to bit 0. */
    private static final int[] BIT_INDEX = java.util.stream.IntStream.range(0, 32).toArray();

    /** Q5_0: {@code d·(q − 16)}, the fifth bit of weight j bit j of the block's 32-bit qh. */
    private record Q50() implements RowDecoder {
        @Override public int activation() { return ACT_Q8; }

        @Override public void decode(MemorySegment data, long rowAt, int k0, int n, float[] w, int wo) {
            int b0 = k0 >>> 5, b1 = b0 + (n >>> 5);
            for (int b = b0, o = wo; b < b1; b++, o += 32) {
                long at = rowAt + 22L * b;
                float d = half(data, at);
                IntVector qh = IntVector.broadcast(VectorKernels.I, data.get(Layouts.I32, at + 2));
                for (int j = 0; j < 16; j += L) {
                    ByteVector v = ByteVector.fromMemorySegment(B, data, at + 6 + j, ByteOrder.LITTLE_ENDIAN);
                    IntVector lo = (IntVector) v.and((byte) 0xF).convertShape(VectorOperators.B2I, VectorKernels.I, 0);
                    IntVector hi = (IntVector) v.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes()
                            .and((byte) 0xF).convertShape(VectorOperators.B2I, VectorKernels.I, 0);
                    IntVector h0 = qh.lanewise(VectorOperators.LSHR, IntVector.fromArray(VectorKernels.I, BIT_INDEX, j)).and(1)
                            .lanewise(VectorOperators.LSHL, 4);
                    IntVector h1 = qh.lanewise(VectorOperators.LSHR, IntVector.fromArray(VectorKernels.I, BIT_INDEX, 16 + j)).and(1)
                            .lanewise(VectorOperators.LSHL, 4);
                    ((FloatVector) lo.or(h0).sub(16).convertShape(VectorOperators.I2F, F, 0)).mul(d).intoArray(w, o + j);
                    ((FloatVector) hi.or(h1).sub(16).convertShape(VectorOperators.I2F, F, 0)).mul(d).intoArray(w, o + 16 + j);
                }
            }
        }
    }

    /** Q5_1: {@code d·q + m}, the fifth bits as in Q5_0. */
    private record Q51() implements RowDecoder {
        @Override public int activation() { return ACT_Q8_1; }

        @Override public void decodeMins(MemorySegment data, long rowAt, int b0, int nb, float[] w, int wo) {
            for (int i = 0; i < nb; i++) w[wo + i] = half(data, rowAt + 24L * (b0 + i) + 2);
        }

        @Override public void decode(MemorySegment data, long rowAt, int k0, int n, float[] w, int wo) {
            int b0 = k0 >>> 5, b1 = b0 + (n >>> 5);
            for (int b = b0, o = wo; b < b1; b++, o += 32) {
                long at = rowAt + 24L * b;
                float d = half(data, at), m = half(data, at + 2);
                IntVector qh = IntVector.broadcast(VectorKernels.I, data.get(Layouts.I32, at + 4));
                for (int j = 0; j < 16; j += L) {
                    ByteVector v = ByteVector.fromMemorySegment(B, data, at + 8 + j, ByteOrder.LITTLE_ENDIAN);
                    IntVector lo = (IntVector) v.and((byte) 0xF).convertShape(VectorOperators.B2I, VectorKernels.I, 0);
                    IntVector hi = (IntVector) v.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes()
                            .and((byte) 0xF).convertShape(VectorOperators.B2I, VectorKernels.I, 0);
                    IntVector h0 = qh.lanewise(VectorOperators.LSHR, IntVector.fromArray(VectorKernels.I, BIT_INDEX, j)).and(1)
                            .lanewise(VectorOperators.LSHL, 4);
                    IntVector h1 = qh.lanewise(VectorOperators.LSHR, IntVector.fromArray(VectorKernels.I, BIT_INDEX, 16 + j)).and(1)
                            .lanewise(VectorOperators.LSHL, 4);
                    ((FloatVector) lo.or(h0).convertShape(VectorOperators.I2F, F, 0)).mul(d).add(m).intoArray(w, o + j);
                    ((FloatVector) hi.or(h1).convertShape(VectorOperators.I2F, F, 0)).mul(d).add(m).intoArray(w, o + 16 + j);
                }
            }
        }
    }

    // The K-quants (256-weight blocks), one class each: a decode method holding several types' vector code grows past
    // C2's inlining budget, and the Vector API calls left out box every vector (measured: Q4_K_M pp 10 tok/s, 150 MB
    // allocated per token).

    /** Q4_K: {@code d·scale·q − dmin·min} per group of 32. */
    private record Q4K() implements RowDecoder {
        @Override public int activation() { return ACT_Q8K; }

        @Override public void decode(MemorySegment data, long rowAt, int k0, int n, float[] w, int wo) {
            int b0 = k0 >>> 8, b1 = b0 + (n >>> 8);
            for (int b = b0, o = wo; b < b1; b++, o += 256) {
                long at = rowAt + 144L * b;
                float d = half(data, at), dmin = half(data, at + 2);
                long scales = VectorKernels.kScales(data, at + 4), mins = VectorKernels.kMins(data, at + 4);
                for (int run = 0; run < 4; run++) {
                    float d1 = d * VectorKernels.byteAt(scales, 2 * run), m1 = dmin * VectorKernels.byteAt(mins, 2 * run);
                    float d2 = d * VectorKernels.byteAt(scales, 2 * run + 1), m2 = dmin * VectorKernels.byteAt(mins, 2 * run + 1);
                    for (int j = 0; j < 32; j += L) {
                        ByteVector v = ByteVector.fromMemorySegment(B, data, at + 16 + 32 * run + j, ByteOrder.LITTLE_ENDIAN);
                        ByteVector lo = v.and((byte) 0xF);
                        ByteVector hi = v.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 0xF);
                        ((FloatVector) lo.convertShape(VectorOperators.B2F, F, 0)).mul(d1).sub(m1).intoArray(w, o + 64 * run + j);
                        ((FloatVector) hi.convertShape(VectorOperators.B2F, F, 0)).mul(d2).sub(m2).intoArray(w, o + 64 * run + 32 + j);
                    }
                }
            }
        }
    }

    /** Q5_K: as Q4_K with a fifth bit per weight. */
    private record Q5K() implements RowDecoder {
        @Override public int activation() { return ACT_Q8K; }

        @Override public void decode(MemorySegment data, long rowAt, int k0, int n, float[] w, int wo) {
            int b0 = k0 >>> 8, b1 = b0 + (n >>> 8);
            for (int b = b0, o = wo; b < b1; b++, o += 256) {
                long at = rowAt + 176L * b;
                float d = half(data, at), dmin = half(data, at + 2);
                long scales = VectorKernels.kScales(data, at + 4), mins = VectorKernels.kMins(data, at + 4);
                for (int run = 0; run < 4; run++) {
                    float d1 = d * VectorKernels.byteAt(scales, 2 * run), m1 = dmin * VectorKernels.byteAt(mins, 2 * run);
                    float d2 = d * VectorKernels.byteAt(scales, 2 * run + 1), m2 = dmin * VectorKernels.byteAt(mins, 2 * run + 1);
                    for (int j = 0; j < 32; j += L) {
                        ByteVector v = ByteVector.fromMemorySegment(B, data, at + 48 + 32 * run + j, ByteOrder.LITTLE_ENDIAN);
                        ByteVector h = ByteVector.fromMemorySegment(B, data, at + 16 + j, ByteOrder.LITTLE_ENDIAN);
                        // the fifth bits, bit 2·run (low nibbles) and 2·run + 1 (high nibbles) of qh, moved to
                        // bit 4 by shifts of 32-bit lanes (x86 has no byte shift); the mask drops what crossed
                        IntVector hInts = h.reinterpretAsInts();
                        ByteVector h1 = hInts.lanewise(VectorOperators.LSHR, 2 * run).lanewise(VectorOperators.LSHL, 4)
                                .reinterpretAsBytes().and((byte) 0x10);
                        ByteVector h2 = hInts.lanewise(VectorOperators.LSHR, 2 * run + 1).lanewise(VectorOperators.LSHL, 4)
                                .reinterpretAsBytes().and((byte) 0x10);
                        ByteVector lo = v.and((byte) 0xF).or(h1);
                        ByteVector hi = v.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 0xF).or(h2);
                        ((FloatVector) lo.convertShape(VectorOperators.B2F, F, 0)).mul(d1).sub(m1).intoArray(w, o + 64 * run + j);
                        ((FloatVector) hi.convertShape(VectorOperators.B2F, F, 0)).mul(d2).sub(m2).intoArray(w, o + 64 * run + 32 + j);
                    }
                }
            }
        }
    }

    /** Q6_K: {@code (d·scale)·(q − 32)} per group of 16. */
    private record Q6K() implements RowDecoder {
        @Override public int activation() { return ACT_Q8K; }

        @Override public void decode(MemorySegment data, long rowAt, int k0, int n, float[] w, int wo) {
            int b0 = k0 >>> 8, b1 = b0 + (n >>> 8);
            for (int b = b0, o = wo; b < b1; b++, o += 256) {
                long at = rowAt + 210L * b;
                float d = half(data, at + 208);
                for (int half = 0; half < 2; half++) {
                    long ql = at + 64L * half, qh = at + 128 + 32L * half, sc = at + 192 + 8L * half;
                    for (int j = 0; j < 32; j += L) {
                        // (d · scale) rounded once per group of 16, as ggml's left-to-right d * sc[is] * q
                        int g = j >>> 4;
                        float s1 = d * data.get(Layouts.I8, sc + g), s2 = d * data.get(Layouts.I8, sc + g + 2);
                        float s3 = d * data.get(Layouts.I8, sc + g + 4), s4 = d * data.get(Layouts.I8, sc + g + 6);
                        ByteVector a = ByteVector.fromMemorySegment(B, data, ql + j, ByteOrder.LITTLE_ENDIAN);
                        ByteVector a2 = ByteVector.fromMemorySegment(B, data, ql + 32 + j, ByteOrder.LITTLE_ENDIAN);
                        ByteVector h = ByteVector.fromMemorySegment(B, data, qh + j, ByteOrder.LITTLE_ENDIAN);
                        IntVector ai = a.reinterpretAsInts(), a2i = a2.reinterpretAsInts(), hi = h.reinterpretAsInts();
                        ByteVector q1 = a.and((byte) 0xF).or(hi.lanewise(VectorOperators.LSHL, 4).reinterpretAsBytes().and((byte) 0x30));
                        ByteVector q2 = a2.and((byte) 0xF).or(hi.lanewise(VectorOperators.LSHL, 2).reinterpretAsBytes().and((byte) 0x30));
                        ByteVector q3 = ai.lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 0xF).or(h.and((byte) 0x30));
                        ByteVector q4 = a2i.lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 0xF)
                                .or(hi.lanewise(VectorOperators.LSHR, 2).reinterpretAsBytes().and((byte) 0x30));
                        int base = o + 128 * half + j;
                        ((FloatVector) q1.sub((byte) 32).convertShape(VectorOperators.B2F, F, 0)).mul(s1).intoArray(w, base);
                        ((FloatVector) q2.sub((byte) 32).convertShape(VectorOperators.B2F, F, 0)).mul(s2).intoArray(w, base + 32);
                        ((FloatVector) q3.sub((byte) 32).convertShape(VectorOperators.B2F, F, 0)).mul(s3).intoArray(w, base + 64);
                        ((FloatVector) q4.sub((byte) 32).convertShape(VectorOperators.B2F, F, 0)).mul(s4).intoArray(w, base + 96);
                    }
                }
            }
        }
    }

    /** Q2_K: {@code d·scale·q − dmin·min} per group of 16 (scalar: a rare type). */
    private record Q2K() implements RowDecoder {
        @Override public int activation() { return ACT_Q8K; }

        @Override public void decode(MemorySegment data, long rowAt, int k0, int n, float[] w, int wo) {
            int b0 = k0 >>> 8, b1 = b0 + (n >>> 8);
            for (int b = b0, o = wo; b < b1; b++, o += 256) {
                long at = rowAt + 84L * b;
                float d = half(data, at + 80), dmin = half(data, at + 82);
                int y = o, group = 0;
                for (int half = 0; half < 2; half++) {
                    long q = at + 16 + 32L * half;
                    for (int shift = 0; shift < 8; shift += 2) {
                        for (int part = 0; part < 32; part += 16) {
                            int sc = u8(data, at + group++);
                            float dl = d * (sc & 0xF), ml = dmin * (sc >>> 4);
                            for (int l = 0; l < 16; l++) w[y++] = dl * ((u8(data, q + part + l) >>> shift) & 3) - ml;
                        }
                    }
                }
            }
        }
    }

    /** Q3_K: {@code d·(scale − 32)·(q − 4·hbit)} per group of 16 (scalar: a rare type). */
    private record Q3K() implements RowDecoder {
        @Override public int activation() { return ACT_Q8K; }

        @Override public void decode(MemorySegment data, long rowAt, int k0, int n, float[] w, int wo) {
            int b0 = k0 >>> 8, b1 = b0 + (n >>> 8);
            for (int b = b0, o = wo; b < b1; b++, o += 256) {
                long at = rowAt + 110L * b;
                float dAll = half(data, at + 108);
                int y = o, group = 0, mask = 1;
                for (int half = 0; half < 2; half++) {
                    long q = at + 32 + 32L * half;
                    for (int shift = 0; shift < 8; shift += 2) {
                        for (int part = 0; part < 32; part += 16) {
                            float dl = dAll * ScalarKernels.q3Scale(data, at + 96, group++);
                            for (int l = 0; l < 16; l++) {
                                int low = (u8(data, q + part + l) >>> shift) & 3;
                                int high = (u8(data, at + part + l) & mask) != 0 ? 0 : 4;
                                w[y++] = dl * (low - high);
                            }
                        }
                        mask <<= 1;
                    }
                }
            }
        }
    }
}
