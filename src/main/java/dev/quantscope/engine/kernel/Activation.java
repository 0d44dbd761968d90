package dev.quantscope.engine.kernel;

/**
 * An input vector for matrix-vector products: the float values plus, computed once on demand after each change,
 * the forms that ggml's dot products take as their second operand ({@code vec_dot_type}):
 * <ul>
 *   <li>Q8_0 blocks of 32 (also serving as Q8_1: ggml quantizes both identically and Q8_1 only adds
 *       {@code s = d * sum(q)}), for Q4_0, Q4_1, Q5_0, Q5_1, Q8_0 and IQ4_NL weights;</li>
 *   <li>Q8_K blocks of 256 with their 16 sums per block, for the K-quants;</li>
 *   <li>the values rounded to F16 or to BF16, for F16 and BF16 weights (ggml converts the activation to the
 *       weights' type before a float dot product).</li>
 * </ul>
 *
 * <p>Thread safety: the engine writes the values and calls {@link #changed(int)} on one thread, then several
 * threads run matvecs over disjoint row ranges with this same activation. Each form has its own lock and a
 * volatile "ready for version" stamp: the first caller to need a form computes it under the lock, the others
 * wait for it on the same lock, and every later call sees the stamp and goes straight on. So a quantization
 * happens once per change however many matrices and threads use it. All buffers are allocated here, at
 * construction: nothing is allocated per token.
 */
public final class Activation {
    static final int QK = 32;
    static final int QK_K = 256;

    private final float[] values;
    private int length;
    private volatile int version;

    // Q8_0 / Q8_1: codes (as bytes for the scalar kernels, as integer-valued floats for the vector kernels),
    // the scale d per block (rounded through F16, as block_q8_0 stores it) and s = d * sum(codes) (F16-rounded).
    private final byte[] q8;
    private final float[] q8f;
    private final float[] q8d;
    private final float[] q8s;
    private final int[] q8sum;
    /** Codes 2j and 2j + 1 as the low and high halves of int j: what an interleaved kernel broadcasts (see {@link #pairs}). */
    private final int[] q8pairs;
    private final Object q8Lock = new Object();
    private volatile int q8Ready = -1;

    // Q8_K: codes, full-float scale per 256 and the sum of each run of 16 codes.
    private final byte[] qk;
    private final float[] qkf;
    private final float[] qkd;
    private final int[] qkSums;
    /** The 16-element sums as floats, and the 32-element sums (pairs of them) as floats, for the batched path. */
    private final float[] qkSums16f;
    private final float[] qkSums32f;
    private final int[] qkSums32;
    private final int[] qkPairs;
    private final Object qkLock = new Object();
    private volatile int qkReady = -1;

    private final float[] f16;
    /** The F16-rounded values times 2^112 (see {@link #f16Wide}). */
    private final float[] f16Wide;
    private final Object f16Lock = new Object();
    private volatile int f16Ready = -1;

    private final float[] bf16;
    private final Object bf16Lock = new Object();
    private volatile int bf16Ready = -1;

    public Activation(int capacity) {
        if (capacity < 0) throw new IllegalArgumentException("negative capacity " + capacity);
        this.values = new float[capacity];
        this.length = capacity;
        int blocks32 = capacity / QK;
        int blocks256 = capacity / QK_K;
        this.q8 = new byte[blocks32 * QK];
        this.q8f = new float[blocks32 * QK];
        this.q8d = new float[blocks32];
        this.q8s = new float[blocks32];
        this.q8sum = new int[blocks32];
        this.q8pairs = new int[blocks32 * QK / 2];
        this.qk = new byte[blocks256 * QK_K];
        this.qkf = new float[blocks256 * QK_K];
        this.qkd = new float[blocks256];
        this.qkSums = new int[blocks256 * (QK_K / 16)];
        this.qkSums16f = new float[blocks256 * (QK_K / 16)];
        this.qkSums32f = new float[blocks256 * (QK_K / 32)];
        this.qkSums32 = new int[blocks256 * (QK_K / 32)];
        this.qkPairs = new int[blocks256 * QK_K / 2];
        this.f16 = new float[capacity];
        this.f16Wide = new float[capacity];
        this.bf16 = new float[capacity];
    }

    /** An activation holding a copy of {@code v} (tests, benchmarks). */
    public static Activation of(float[] v) {
        Activation a = new Activation(v.length);
        System.arraycopy(v, 0, a.values, 0, v.length);
        a.changed(v.length);
        return a;
    }

    /** The backing array; after writing into it call {@link #changed(int)}. */
    public float[] values() { return values; }

    public int length() { return length; }

    /** Marks the values as changed (length {@code n}), invalidating the quantized forms. */
    public void changed(int n) {
        if (n < 0 || n > values.length) throw new IllegalArgumentException(n + " outside capacity " + values.length);
        length = n;
        version++;
    }

    /** Incremented on every change; kernels use it to know when their quantized copy is stale. */
    public int version() { return version; }

    // ---------------------------------------------------------------- Q8_0 / Q8_1

    /** Makes the Q8_0/Q8_1 form current (computed by the first caller after a change, shared by all). */
    void ensureQ8() {
        if (q8Ready == version) return;
        synchronized (q8Lock) {
            int v = version;
            if (q8Ready == v) return;
            quantizeQ8(values, length / QK, q8, q8f, q8d, q8s, q8sum);
            pairs(q8, length / QK * QK, q8pairs);
            q8Ready = v; // volatile write: publishes the buffers to every thread that then reads the stamp
        }
    }

    byte[] q8() { return q8; }
    float[] q8f() { return q8f; }
    float[] q8d() { return q8d; }
    float[] q8s() { return q8s; }
    /** Pairs of consecutive Q8_0 codes, one int each (see {@link #pairs}). */
    int[] q8pairs() { return q8pairs; }

    /** The exact sum of each block's codes (the vector kernels fold the Q5_0 offset of 16 into it). */
    int[] q8sum() { return q8sum; }

    /**
     * Q8_0 as ggml-cpu's x86 {@code quantize_row_q8_0}/{@code quantize_row_q8_1} do it (the path llama.cpp runs
     * on this machine class): {@code d = amax / 127}, codes {@code round(x * (127 / amax))} with ties to even
     * ({@code _mm256_round_ps} with {@code _MM_ROUND_NEAREST}), d stored as F16, and for Q8_1
     * {@code s = F16(d * sum(codes))} from the unrounded d. (ggml's portable reference divides by d and rounds
     * ties away from zero instead; the two differ only on exact ties and on the last bit of the multiplier.)
     */
    static void quantizeQ8(float[] x, int blocks, byte[] q, float[] qf, float[] qd, float[] qs, int[] sums) {
        for (int b = 0; b < blocks; b++) {
            int o = b * QK;
            float amax = 0;
            for (int j = 0; j < QK; j++) amax = Math.max(amax, Math.abs(x[o + j]));
            float d = amax / 127f;
            float id = amax != 0 ? 127f / amax : 0f;
            int sum = 0;
            for (int j = 0; j < QK; j++) {
                int v = (int) Math.rint(x[o + j] * id);
                q[o + j] = (byte) v;
                qf[o + j] = v;
                sum += v;
            }
            qd[b] = roundToHalf(d);
            qs[b] = roundToHalf(d * sum);
            sums[b] = sum;
        }
    }

    /**
     * {@code pairs[j] = codes[2j]} in the low 16 bits and {@code codes[2j + 1]} in the high 16, both sign-extended:
     * broadcast to every int lane and read as 16-bit lanes, one int gives the even lanes one column's code and the
     * odd lanes the next column's, which is how the interleaved kernels lay out their weights ({@link PackedKernel}).
     */
    static void pairs(byte[] codes, int n, int[] pairs) {
        for (int j = 0; j < n / 2; j++) pairs[j] = (codes[2 * j] & 0xFFFF) | (codes[2 * j + 1] << 16);
    }

    // ---------------------------------------------------------------- Q8_K

    void ensureQ8K() {
        if (qkReady == version) return;
        synchronized (qkLock) {
            int v = version;
            if (qkReady == v) return;
            quantizeQ8K(values, length / QK_K, qk, qkf, qkd, qkSums);
            pairs(qk, length / QK_K * QK_K, qkPairs);
            for (int i = 0; i < qkSums16f.length; i++) qkSums16f[i] = qkSums[i];
            for (int i = 0; i < qkSums32.length; i++) {
                qkSums32[i] = qkSums[2 * i] + qkSums[2 * i + 1];
                qkSums32f[i] = qkSums32[i];
            }
            qkReady = v;
        }
    }

    byte[] qk() { return qk; }
    /** Pairs of consecutive Q8_K codes, one int each (see {@link #pairs}). */
    int[] qkPairs() { return qkPairs; }
    float[] qkf() { return qkf; }
    float[] qkd() { return qkd; }
    int[] qkSums() { return qkSums; }
    float[] qkSums16f() { return qkSums16f; }
    float[] qkSums32f() { return qkSums32f; }
    /** The 32-element sums of the Q8_K codes (Q4_K/Q5_K group size), 8 per block. */
    int[] qkSums32() { return qkSums32; }

    /**
     * ggml's {@code quantize_row_q8_K_ref} (which x86 builds also use): the signed value of largest magnitude
     * maps to -127 ({@code iscale = -127 / max}), codes {@code nearest_int(iscale * x)} (ties to even) capped at
     * 127, {@code d = 1 / iscale} as a full float, and the sum of each run of 16 codes for the K-quants' mins.
     */
    static void quantizeQ8K(float[] x, int blocks, byte[] q, float[] qf, float[] qd, int[] sums) {
        for (int b = 0; b < blocks; b++) {
            int o = b * QK_K;
            float max = 0, amax = 0;
            for (int j = 0; j < QK_K; j++) {
                float ax = Math.abs(x[o + j]);
                if (ax > amax) {
                    amax = ax;
                    max = x[o + j];
                }
            }
            if (amax == 0) {
                // ggml leaves bsums untouched here; zero is what the (all-zero) codes sum to.
                qd[b] = 0;
                java.util.Arrays.fill(q, o, o + QK_K, (byte) 0);
                java.util.Arrays.fill(qf, o, o + QK_K, 0f);
                java.util.Arrays.fill(sums, b * 16, b * 16 + 16, 0);
                continue;
            }
            float iscale = -127f / max;
            for (int j = 0; j < QK_K; j++) {
                int v = Math.min(127, (int) Math.rint(iscale * x[o + j]));
                q[o + j] = (byte) v;
                qf[o + j] = v;
            }
            for (int g = 0; g < 16; g++) {
                int s = 0;
                for (int l = 0; l < 16; l++) s += q[o + 16 * g + l];
                sums[b * 16 + g] = s;
            }
            qd[b] = 1 / iscale;
        }
    }

    // ---------------------------------------------------------------- F16 / BF16

    void ensureF16() {
        if (f16Ready == version) return;
        synchronized (f16Lock) {
            int v = version;
            if (f16Ready == v) return;
            for (int i = 0; i < length; i++) {
                f16[i] = roundToHalf(values[i]);
                f16Wide[i] = f16[i] * 0x1p112f;
            }
            f16Ready = v;
        }
    }

    float[] f16() { return f16; }

    /**
     * The F16-rounded values times 2^112, exactly (an F16 is at most 65,504 &lt; 2^16, so none overflows): an F16
     * weight whose bits are only shifted into a float's place reads as its value times 2^-112, and its product
     * with these is the product of the two values, with no multiplication to undo the shift (see VectorKernels.F16).
     */
    float[] f16Wide() { return f16Wide; }

    void ensureBF16() {
        if (bf16Ready == version) return;
        synchronized (bf16Lock) {
            int v = version;
            if (bf16Ready == v) return;
            for (int i = 0; i < length; i++) bf16[i] = roundToBFloat16(values[i]);
            bf16Ready = v;
        }
    }

    float[] bf16() { return bf16; }

    static float roundToHalf(float f) {
        return Float.float16ToFloat(Float.floatToFloat16(f));
    }

    /** {@code GGML_FP32_TO_BF16}: round to nearest even; NaNs stay (quiet) NaNs. */
    public static float roundToBFloat16(float f) {
        int u = Float.floatToRawIntBits(f);
        int h;
        if ((u & 0x7fffffff) > 0x7f800000) h = (u >>> 16) | 64;
        else h = (u + (0x7fff + ((u >>> 16) & 1))) >>> 16;
        return Float.intBitsToFloat(h << 16);
    }
}
