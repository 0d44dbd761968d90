package dev.quantscope.engine.kernel;

import dev.quantscope.tensor.Layouts;
import dev.quantscope.tensor.TensorInfo;

import java.lang.foreign.MemorySegment;

/**
 * Reference kernels, one scalar loop per type, written from ggml's portable {@code ggml_vec_dot_*} functions:
 * each block's codes are multiplied with the activation's 8-bit codes in integer arithmetic, and the block's
 * integer sum is then scaled by the product of the two block scales and summed in float. These are the
 * yardstick for the Vector API kernels and the fallback where the Vector API is missing.
 */
final class ScalarKernels {
    private ScalarKernels() {}

    static RowKernel create(TensorInfo t) {
        return switch (t.dtype()) {
            case F32 -> new F32(t);
            case F16 -> new F16(t);
            case BF16 -> new BF16(t);
            case Q8_0 -> new Q8_0(t);
            case Q4_0 -> new Q4_0(t);
            case Q4_1 -> new Q4_1(t);
            case Q5_0 -> new Q5_0(t);
            case Q5_1 -> new Q5_1(t);
            case IQ4_NL -> new IQ4_NL(t);
            case Q2_K -> new Q2_K(t);
            case Q3_K -> new Q3_K(t);
            case Q4_K -> new Q4_K(t);
            case Q5_K -> new Q5_K(t);
            case Q6_K -> new Q6_K(t);
            default -> throw new UnsupportedOperationException("no kernel for " + t.dtype() + " (" + t.name() + ")");
        };
    }

    static int u8(MemorySegment s, long at) { return s.get(Layouts.I8, at) & 0xFF; }

    static int i8(MemorySegment s, long at) { return s.get(Layouts.I8, at); }

    static float half(MemorySegment s, long at) { return Float.float16ToFloat(s.get(Layouts.I16, at)); }

    static int u32(MemorySegment s, long at) { return s.get(Layouts.I32, at); }

    /** ggml's {@code kvalues_iq4nl}. */
    static final int[] IQ4_GRID = {-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113};

    /** Q4_K/Q5_K 6-bit scale of group g (0..7) from the 12 packed bytes at {@code sc}. */
    static int kScale(MemorySegment s, long sc, int g) {
        if (g < 4) return u8(s, sc + g) & 63;
        return (u8(s, sc + g + 4) & 0xF) | (u8(s, sc + g - 4) >>> 6) << 4;
    }

    /** Q4_K/Q5_K 6-bit min of group g (0..7). */
    static int kMin(MemorySegment s, long sc, int g) {
        if (g < 4) return u8(s, sc + g + 4) & 63;
        return (u8(s, sc + g + 4) >>> 4) | (u8(s, sc + g) >>> 6) << 4;
    }

    /** Q3_K signed scale of group g (0..15): the stored 6-bit value minus 32. */
    static int q3Scale(MemorySegment s, long sc, int g) {
        int lowByte = u8(s, sc + (g & 7));
        int low = g < 8 ? lowByte & 0xF : lowByte >>> 4;
        int high = (u8(s, sc + 8 + (g & 3)) >>> (2 * (g >>> 2))) & 3;
        return (low | high << 4) - 32;
    }

    // ------------------------------------------------------------------ float weights

    static final class F32 extends RowKernel {
        F32(TensorInfo t) { super(t); }
        @Override void prepare(Activation x) {}
        @Override float rowDot(Activation x, long at, int[] ints) {
            float[] y = x.values();
            float sum = 0;
            for (int i = 0; i < cols; i++) sum += data.get(Layouts.F32, at + 4L * i) * y[i];
            return sum;
        }
    }

    /** ggml's vec_dot_type for F16 is F16: the activation is rounded to F16, products summed in float. */
    static final class F16 extends RowKernel {
        F16(TensorInfo t) { super(t); }
        @Override void prepare(Activation x) { x.ensureF16(); }
        @Override float rowDot(Activation x, long at, int[] ints) {
            float[] y = x.f16();
            float sum = 0;
            for (int i = 0; i < cols; i++) sum += half(data, at + 2L * i) * y[i];
            return sum;
        }
    }

    /** Likewise BF16 weights meet a BF16-rounded activation. */
    static final class BF16 extends RowKernel {
        BF16(TensorInfo t) { super(t); }
        @Override void prepare(Activation x) { x.ensureBF16(); }
        @Override float rowDot(Activation x, long at, int[] ints) {
            float[] y = x.bf16();
            float sum = 0;
            for (int i = 0; i < cols; i++) {
                sum += Float.intBitsToFloat(data.get(Layouts.I16, at + 2L * i) << 16) * y[i];
            }
            return sum;
        }
    }

    // ------------------------------------------------------------------ 32-element blocks × Q8_0 / Q8_1

    /** ggml_vec_dot_q8_0_q8_0. block_q8_0: d (half), qs[32] (int8). */
    static final class Q8_0 extends RowKernel {
        Q8_0(TensorInfo t) { super(t); }
        @Override void prepare(Activation x) { x.ensureQ8(); }
        @Override float rowDot(Activation x, long rowAt, int[] ints) {
            byte[] y = x.q8();
            float[] yd = x.q8d();
            float sum = 0;
            for (int b = 0; b < blocks; b++) {
                long at = rowAt + 34L * b;
                int yo = 32 * b, sumi = 0;
                for (int j = 0; j < 32; j++) sumi += i8(data, at + 2 + j) * y[yo + j];
                if (ints != null) ints[b] = sumi;
                sum += sumi * (half(data, at) * yd[b]);
            }
            return sum;
        }
    }

    /** ggml_vec_dot_q4_0_q8_0. block_q4_0: d, qs[16]; weight j low nibble, j+16 high nibble, minus 8. */
    static final class Q4_0 extends RowKernel {
        Q4_0(TensorInfo t) { super(t); }
        @Override void prepare(Activation x) { x.ensureQ8(); }
        @Override float rowDot(Activation x, long rowAt, int[] ints) {
            byte[] y = x.q8();
            float[] yd = x.q8d();
            float sum = 0;
            for (int b = 0; b < blocks; b++) {
                long at = rowAt + 18L * b;
                int yo = 32 * b, sumi = 0;
                for (int j = 0; j < 16; j++) {
                    int v = u8(data, at + 2 + j);
                    sumi += ((v & 0xF) - 8) * y[yo + j] + ((v >>> 4) - 8) * y[yo + j + 16];
                }
                if (ints != null) ints[b] = sumi;
                sum += sumi * (half(data, at) * yd[b]);
            }
            return sum;
        }
    }

    /** ggml_vec_dot_q4_1_q8_1: sum += d_x d_y sumi + m_x s_y. block_q4_1: d, m, qs[16]. */
    static final class Q4_1 extends RowKernel {
        Q4_1(TensorInfo t) { super(t); }
        @Override void prepare(Activation x) { x.ensureQ8(); }
        @Override float rowDot(Activation x, long rowAt, int[] ints) {
            byte[] y = x.q8();
            float[] yd = x.q8d(), ys = x.q8s();
            float sum = 0;
            for (int b = 0; b < blocks; b++) {
                long at = rowAt + 20L * b;
                int yo = 32 * b, sumi = 0;
                for (int j = 0; j < 16; j++) {
                    int v = u8(data, at + 4 + j);
                    sumi += (v & 0xF) * y[yo + j] + (v >>> 4) * y[yo + j + 16];
                }
                if (ints != null) ints[b] = sumi;
                sum += sumi * (half(data, at) * yd[b]) + half(data, at + 2) * ys[b];
            }
            return sum;
        }
    }

    /** ggml_vec_dot_q5_0_q8_0. block_q5_0: d, qh (u32: 5th bit of weight j), qs[16]; minus 16. */
    static final class Q5_0 extends RowKernel {
        Q5_0(TensorInfo t) { super(t); }
        @Override void prepare(Activation x) { x.ensureQ8(); }
        @Override float rowDot(Activation x, long rowAt, int[] ints) {
            byte[] y = x.q8();
            float[] yd = x.q8d();
            float sum = 0;
            for (int b = 0; b < blocks; b++) {
                long at = rowAt + 22L * b;
                int qh = u32(data, at + 2);
                int yo = 32 * b, sumi = 0;
                for (int j = 0; j < 16; j++) {
                    int v = u8(data, at + 6 + j);
                    int lo = ((v & 0xF) | ((qh >>> j) & 1) << 4) - 16;
                    int hi = ((v >>> 4) | ((qh >>> (j + 16)) & 1) << 4) - 16;
                    sumi += lo * y[yo + j] + hi * y[yo + j + 16];
                }
                if (ints != null) ints[b] = sumi;
                sum += sumi * (half(data, at) * yd[b]);
            }
            return sum;
        }
    }

    /** ggml_vec_dot_q5_1_q8_1. block_q5_1: d, m, qh, qs[16]. */
    static final class Q5_1 extends RowKernel {
        Q5_1(TensorInfo t) { super(t); }
        @Override void prepare(Activation x) { x.ensureQ8(); }
        @Override float rowDot(Activation x, long rowAt, int[] ints) {
            byte[] y = x.q8();
            float[] yd = x.q8d(), ys = x.q8s();
            float sum = 0;
            for (int b = 0; b < blocks; b++) {
                long at = rowAt + 24L * b;
                int qh = u32(data, at + 4);
                int yo = 32 * b, sumi = 0;
                for (int j = 0; j < 16; j++) {
                    int v = u8(data, at + 8 + j);
                    int lo = (v & 0xF) | ((qh >>> j) & 1) << 4;
                    int hi = (v >>> 4) | ((qh >>> (j + 16)) & 1) << 4;
                    sumi += lo * y[yo + j] + hi * y[yo + j + 16];
                }
                if (ints != null) ints[b] = sumi;
                sum += sumi * (half(data, at) * yd[b]) + half(data, at + 2) * ys[b];
            }
            return sum;
        }
    }

    /** ggml_vec_dot_iq4_nl_q8_0. block_iq4_nl: d, qs[16] indexing the non-linear grid. */
    static final class IQ4_NL extends RowKernel {
        IQ4_NL(TensorInfo t) { super(t); }
        @Override void prepare(Activation x) { x.ensureQ8(); }
        @Override float rowDot(Activation x, long rowAt, int[] ints) {
            byte[] y = x.q8();
            float[] yd = x.q8d();
            float sum = 0;
            for (int b = 0; b < blocks; b++) {
                long at = rowAt + 18L * b;
                int yo = 32 * b, sumi = 0;
                for (int j = 0; j < 16; j++) {
                    int v = u8(data, at + 2 + j);
                    sumi += IQ4_GRID[v & 0xF] * y[yo + j] + IQ4_GRID[v >>> 4] * y[yo + j + 16];
                }
                if (ints != null) ints[b] = sumi;
                sum += sumi * (half(data, at) * yd[b]);
            }
            return sum;
        }
    }

    // ------------------------------------------------------------------ K-quants × Q8_K

    /**
     * ggml_vec_dot_q2_K_q8_K: sum += d_y d_x * sum_g(scale_g * dot_g) - d_y dmin_x * sum_g(min_g * bsum_g).
     * block_q2_K: scales[16] (scale low nibble, min high), qs[64], d, dmin. Group g = 16 weights.
     */
    static final class Q2_K extends RowKernel {
        Q2_K(TensorInfo t) { super(t); }
        @Override void prepare(Activation x) { x.ensureQ8K(); }
        @Override float rowDot(Activation x, long rowAt, int[] ints) {
            byte[] y = x.qk();
            float[] yd = x.qkd();
            int[] bsums = x.qkSums();
            float sum = 0;
            for (int b = 0; b < blocks; b++) {
                long at = rowAt + 84L * b;
                int yo = 256 * b, isum = 0, summs = 0;
                for (int g = 0; g < 16; g++) {
                    int sc = u8(data, at + g);
                    summs += (sc >>> 4) * bsums[16 * b + g];
                    // group g: half g/8, bit pair (g%8)/2, bytes 16*(g%2).. of that half's 32 code bytes
                    long q = at + 16 + 32L * (g >>> 3) + 16 * (g & 1);
                    int shift = 2 * ((g & 7) >>> 1), dot = 0;
                    for (int l = 0; l < 16; l++) dot += ((u8(data, q + l) >>> shift) & 3) * y[yo + 16 * g + l];
                    isum += (sc & 0xF) * dot;
                }
                if (ints != null) ints[b] = isum;
                float dy = yd[b];
                sum += dy * half(data, at + 80) * isum - dy * half(data, at + 82) * summs;
            }
            return sum;
        }
    }

    /** ggml_vec_dot_q3_K_q8_K. block_q3_K: hmask[32], qs[64], scales[12], d. Codes low2 - (hbit ? 0 : 4). */
    static final class Q3_K extends RowKernel {
        Q3_K(TensorInfo t) { super(t); }
        @Override void prepare(Activation x) { x.ensureQ8K(); }
        @Override float rowDot(Activation x, long rowAt, int[] ints) {
            byte[] y = x.qk();
            float[] yd = x.qkd();
            float sum = 0;
            for (int b = 0; b < blocks; b++) {
                long at = rowAt + 110L * b;
                int yo = 256 * b, isum = 0;
                for (int g = 0; g < 16; g++) {
                    int half = g >>> 3, pair = (g & 7) >>> 1, part = 16 * (g & 1);
                    long q = at + 32 + 32L * half + part;
                    long h = at + part;
                    int shift = 2 * pair, bit = 4 * half + pair, dot = 0;
                    for (int l = 0; l < 16; l++) {
                        int low = (u8(data, q + l) >>> shift) & 3;
                        int high = ((u8(data, h + l) >>> bit) & 1) != 0 ? 0 : 4;
                        dot += (low - high) * y[yo + 16 * g + l];
                    }
                    isum += q3Scale(data, at + 96, g) * dot;
                }
                if (ints != null) ints[b] = isum;
                sum += half(data, at + 108) * yd[b] * isum;
            }
            return sum;
        }
    }

    /** ggml_vec_dot_q4_K_q8_K. block_q4_K: d, dmin, scales[12], qs[128]; 8 groups of 32. */
    static final class Q4_K extends RowKernel {
        Q4_K(TensorInfo t) { super(t); }
        @Override void prepare(Activation x) { x.ensureQ8K(); }
        @Override float rowDot(Activation x, long rowAt, int[] ints) {
            byte[] y = x.qk();
            float[] yd = x.qkd();
            int[] bsums = x.qkSums();
            float sum = 0;
            for (int b = 0; b < blocks; b++) {
                long at = rowAt + 144L * b;
                int yo = 256 * b, isum = 0, summs = 0;
                for (int g = 0; g < 8; g++) {
                    summs += kMin(data, at + 4, g) * (bsums[16 * b + 2 * g] + bsums[16 * b + 2 * g + 1]);
                    long q = at + 16 + 32L * (g >>> 1);
                    int shift = 4 * (g & 1), dot = 0;
                    for (int l = 0; l < 32; l++) dot += ((u8(data, q + l) >>> shift) & 0xF) * y[yo + 32 * g + l];
                    isum += kScale(data, at + 4, g) * dot;
                }
                if (ints != null) ints[b] = isum;
                float dy = yd[b];
                sum += dy * half(data, at) * isum - dy * half(data, at + 2) * summs;
            }
            return sum;
        }
    }

    /** ggml_vec_dot_q5_K_q8_K. block_q5_K: d, dmin, scales[12], qh[32], qs[128]. */
    static final class Q5_K extends RowKernel {
        Q5_K(TensorInfo t) { super(t); }
        @Override void prepare(Activation x) { x.ensureQ8K(); }
        @Override float rowDot(Activation x, long rowAt, int[] ints) {
            byte[] y = x.qk();
            float[] yd = x.qkd();
            int[] bsums = x.qkSums();
            float sum = 0;
            for (int b = 0; b < blocks; b++) {
                long at = rowAt + 176L * b;
                int yo = 256 * b, isum = 0, summs = 0;
                for (int g = 0; g < 8; g++) {
                    summs += kMin(data, at + 4, g) * (bsums[16 * b + 2 * g] + bsums[16 * b + 2 * g + 1]);
                    long q = at + 48 + 32L * (g >>> 1);
                    int shift = 4 * (g & 1), dot = 0;
                    for (int l = 0; l < 32; l++) {
                        int c = ((u8(data, q + l) >>> shift) & 0xF) | ((u8(data, at + 16 + l) >>> g) & 1) << 4;
                        dot += c * y[yo + 32 * g + l];
                    }
                    isum += kScale(data, at + 4, g) * dot;
                }
                if (ints != null) ints[b] = isum;
                float dy = yd[b];
                sum += dy * half(data, at) * isum - dy * half(data, at + 2) * summs;
            }
            return sum;
        }
    }

    /** ggml_vec_dot_q6_K_q8_K. block_q6_K: ql[128], qh[64], scales[16] (int8), d; codes minus 32. */
    static final class Q6_K extends RowKernel {
        Q6_K(TensorInfo t) { super(t); }
        @Override void prepare(Activation x) { x.ensureQ8K(); }
        @Override float rowDot(Activation x, long rowAt, int[] ints) {
            byte[] y = x.qk();
            float[] yd = x.qkd();
            float sum = 0;
            for (int b = 0; b < blocks; b++) {
                long at = rowAt + 210L * b;
                int yo = 256 * b, isum = 0;
                for (int g = 0; g < 16; g++) {
                    // group g: half g/8, quarter k = (g%8)/2 of that half, lanes 16*(g%2)..+16 of the quarter
                    int half = g >>> 3, k = (g & 7) >>> 1, l0 = 16 * (g & 1);
                    long ql = at + 64L * half + 32 * (k & 1);
                    long qh = at + 128 + 32L * half;
                    int lowShift = 4 * (k >>> 1), highShift = 2 * k, dot = 0;
                    for (int l = l0; l < l0 + 16; l++) {
                        int c = ((u8(data, ql + l) >>> lowShift) & 0xF) | ((u8(data, qh + l) >>> highShift) & 3) << 4;
                        dot += (c - 32) * y[yo + 128 * half + 32 * k + l];
                    }
                    isum += i8(data, at + 192 + g) * dot;
                }
                if (ints != null) ints[b] = isum;
                sum += half(data, at + 208) * yd[b] * isum;
            }
            return sum;
        }
    }
}
