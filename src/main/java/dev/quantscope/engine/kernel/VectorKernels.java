package dev.quantscope.engine.kernel;

import dev.quantscope.tensor.Layouts;
import dev.quantscope.tensor.TensorInfo;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.Vector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

import static dev.quantscope.engine.kernel.ScalarKernels.half;
import static dev.quantscope.engine.kernel.ScalarKernels.u32;
import static dev.quantscope.engine.kernel.ScalarKernels.u8;

/**
 * Vector API kernels, L = 16 float lanes on AVX-512 (8 on AVX2). Codes are unpacked with byte-lane masks and
 * shifts, widened to float lanes and multiplied with the activation's codes, which {@link Activation} keeps as
 * integer-valued floats. Integer products summed in float are exact while every partial sum stays below 2^24,
 * and each kernel's per-lane sums within one block stay below that bound (noted per type), so a block's lanes
 * hold exactly the integers ggml's integer dot product would: the "integer part" is bit-identical to the
 * scalar kernels' (the tests check it through {@code blockInts}). For Q5_0 and Q5_1 (and Q2_K and Q3_K on
 * 8-lane machines) the float part is then the scalar kernels' own, so their results are bit-identical too. For
 * the others it differs in order only: each block's (Q6_K: half block's) exact lanes are scaled by
 * {@code d_x * d_y} and accumulated lane-wise, as ggml's AVX code does, and the lanes are added once per row.
 *
 * <p>Why floats rather than 8-bit integer lanes: the Vector API has no byte dot product instruction
 * (vpdpbusd/pmaddubsw), and emulating one takes more operations than a widening conversion plus a fused
 * multiply-add; the block scales would also need a float conversion per block either way.
 *
 * <p>Code shape: C2 stops inlining helper methods once a compilation has parsed about 18,000 IR nodes
 * (NodeCountInliningCutoff, fixed in product JVMs), and every Vector API call costs several hundred before it is
 * folded into an instruction or two. Past that point the helper calls stay real calls and every vector is boxed
 * on the heap, 10-100 times slower (the allocation rate shows it at once). Hence: a kernel's row loop inlines one
 * unit of vector work (a block, a run or a chunk) at one call site; the busiest units call the Vector API directly,
 * whose own methods are force-inlined past the cutoff where ours are not; and each kernel's rowDot is compiled on
 * its own (the launcher's CompileCommand dontinline), never inlined into a shared caller with other kernels.
 * This class's static helpers are the opposite, always inlined (CompileCommand inline): a helper that grew hot
 * elsewhere was at times compiled on its own and then left a real call inside a kernel, its vectors boxed, in some
 * JVM runs and not others (seen for Q5_K's run: 2.2 against 2.9 GB/s, Q4_K generation 22 against 38 tokens/s). The
 * price: the loops around a unit are not unrolled by C2 and set up their bounds checks per block, which keeps the
 * K-quants at 0.6-0.7 of Q4_0's speed per weight; every straight-line or flattened form measured slower.
 *
 * <p>This class links against jdk.incubator.vector; {@link Kernels} only loads it when the module is present.
 */
final class VectorKernels {
    private VectorKernels() {}

    static final VectorSpecies<Float> F = species();
    static final int L = F.length();
    static final VectorSpecies<Byte> B = VectorSpecies.of(byte.class, VectorShape.forBitSize(L * 8));
    static final VectorSpecies<Short> S = VectorSpecies.of(short.class, VectorShape.forBitSize(L * 16));
    static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, VectorShape.forBitSize(L * 32));
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    /**
     * 512-bit float vectors where the CPU has them, else 256-bit. The system property
     * {@code quantscope.kernel.vectorBits=256} forces the narrower shape (to compare, or to test the AVX2 path).
     */
    private static VectorSpecies<Float> species() {
        int preferred = FloatVector.SPECIES_PREFERRED.vectorBitSize();
        int bits = Integer.getInteger("quantscope.kernel.vectorBits", preferred);
        return Math.min(bits, preferred) >= 512 ? FloatVector.SPECIES_512 : FloatVector.SPECIES_256;
    }

    /** Whether the hardware runs at least 256-bit float vectors natively (else the Vector API is emulated). */
    static boolean worthwhile() {
        return FloatVector.SPECIES_PREFERRED.vectorBitSize() >= 256;
    }

    static RowKernel create(TensorInfo t) {
        RowKernel k = rowKernel(t);
        return DECODED_BATCHES ? k.withDecoder(BatchKernels.create(k)) : k;
    }

    /**
     * Whether batched products decode each row once ({@link BatchKernels}); the system property
     * {@code quantscope.kernel.decodedBatch=false} turns it off, to compare.
     */
    private static final boolean DECODED_BATCHES =
            Boolean.parseBoolean(System.getProperty("quantscope.kernel.decodedBatch", "true"));

    private static RowKernel rowKernel(TensorInfo t) {
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

    static ByteVector bytes(MemorySegment s, long at) {
        return ByteVector.fromMemorySegment(B, s, at, LE);
    }

    /** Sign-extends L byte lanes to floats. */
    static FloatVector floats(ByteVector b) {
        return (FloatVector) b.convertShape(VectorOperators.B2F, F, 0);
    }

    static FloatVector y(float[] a, int o) {
        return FloatVector.fromArray(F, a, o);
    }

    static FloatVector splat(float v) {
        return FloatVector.broadcast(F, v);
    }

    /**
     * Logical right shift of every byte. x86 has no byte-lane shift: the Vector API's byte LSHR widens, shifts
     * and narrows, and measured 1.7 times slower (Q4_0) than shifting the same bits as 32-bit lanes and masking
     * off what crossed in from the neighbouring byte, as ggml does with {@code _mm_srli_epi16}.
     */
    static ByteVector shr(ByteVector v, int n) {
        return v.reinterpretAsInts().lanewise(VectorOperators.LSHR, n).reinterpretAsBytes().and((byte) (0xFF >>> n));
    }

    /**
     * The lanes' sum, added in a fixed tree: lane i plus lane i + L/2, then + L/4, ... down to lane 0. Not
     * {@code reduceLanes(ADD)}: its order is unspecified and does differ between interpreted and compiled code, so a
     * row's result would change in its last bit once the JIT has compiled the kernel; a fixed order keeps every run
     * bit-reproducible. Not a store and a scalar loop either (the earlier form): sixteen narrow loads of a value
     * just stored as one wide vector wait on store forwarding, which cost a quarter of prompt processing, where
     * every pass of four rows and two tokens ends in eight of these sums.
     */
    static float sumLanes(FloatVector v) {
        FloatVector s = v;
        if (L == 16) s = s.add(s.rearrange(FOLD_8));
        s = s.add(s.rearrange(FOLD_4));
        s = s.add(s.rearrange(FOLD_2));
        s = s.add(s.rearrange(FOLD_1));
        return s.lane(0);
    }

    /** Lane i takes lane i + w (wrapping; only lane 0's final value matters). */
    private static VectorShuffle<Float> fold(int w) {
        return VectorShuffle.fromOp(F, i -> (i + w) % L);
    }

    private static final VectorShuffle<Float> FOLD_8 = fold(8), FOLD_4 = fold(4), FOLD_2 = fold(2), FOLD_1 = fold(1);

    /**
     * {@code out[k] = sumLanes(s_k)} for eight vectors at once, bit for bit: the same additions in the same tree,
     * with the eight vectors' partial sums packed into fewer vectors as the tree narrows (each level merges two
     * vectors into one: the first keeps the lanes whose bit {@code w} is clear, the second those where it is set),
     * so 30-odd vector operations instead of eight separate trees' 64. Every batched pass of four rows and two
     * tokens ends in eight lane sums. Used by the F16/BF16 batched dot (pp128 on F16: 122-128 → 145-151 tokens/s);
     * in the quantized types' batched dots, already near C2's size limits, it measured 20-60 % slower.
     */
    static void sumLanes8(FloatVector s0, FloatVector s1, FloatVector s2, FloatVector s3,
                          FloatVector s4, FloatVector s5, FloatVector s6, FloatVector s7, float[] out) {
        FloatVector m01 = merge(s0, s1, MASK_W1, SWAP_W1), m23 = merge(s2, s3, MASK_W1, SWAP_W1);
        FloatVector m45 = merge(s4, s5, MASK_W1, SWAP_W1), m67 = merge(s6, s7, MASK_W1, SWAP_W1);
        FloatVector n0 = merge(m01, m23, MASK_W2, SWAP_W2), n1 = merge(m45, m67, MASK_W2, SWAP_W2);
        FloatVector o = merge(n0, n1, MASK_W3, SWAP_W3);
        if (L == 16) o = o.add(o.rearrange(FOLD_1)); // the last level: lane i plus lane i + 1
        // s_k's sum sits at the lane made of the bits it was merged in with (w1 = L/2, w2 = L/4, w3 = L/8)
        out[0] = o.lane(0);
        out[1] = o.lane(L / 2);
        out[2] = o.lane(L / 4);
        out[3] = o.lane(L / 2 + L / 4);
        out[4] = o.lane(L / 8);
        out[5] = o.lane(L / 2 + L / 8);
        out[6] = o.lane(L / 4 + L / 8);
        out[7] = o.lane(L / 2 + L / 4 + L / 8);
    }

    /**
     * One level of {@link #sumLanes8}: lanes with bit w clear get {@code a_i + a_(i+w)}, lanes with it set
     * {@code b_(i-w) + b_i} — the pairs {@link #sumLanes} adds at that level.
     */
    private static FloatVector merge(FloatVector a, FloatVector b, VectorMask<Float> bitSet, VectorShuffle<Float> swap) {
        return a.blend(b, bitSet).add(b.blend(a, bitSet).rearrange(swap));
    }

    private static VectorMask<Float> bitSet(int w) {
        boolean[] m = new boolean[L];
        for (int i = 0; i < L; i++) m[i] = (i & w) != 0;
        return VectorMask.fromArray(F, m, 0);
    }

    private static VectorShuffle<Float> swap(int w) {
        return VectorShuffle.fromOp(F, i -> i ^ w);
    }

    private static final VectorMask<Float> MASK_W1 = bitSet(L / 2), MASK_W2 = bitSet(L / 4), MASK_W3 = bitSet(L / 8);
    private static final VectorShuffle<Float> SWAP_W1 = swap(L / 2), SWAP_W2 = swap(L / 4), SWAP_W3 = swap(L / 8);

    /** Lane-wise float dot product; the lanes are added in lane order, the tail in index order. */
    static float dot(float[] x, int xo, float[] y, int yo, int n) {
        FloatVector acc = FloatVector.zero(F);
        int i = 0;
        for (; i + L <= n; i += L) acc = FloatVector.fromArray(F, x, xo + i).fma(FloatVector.fromArray(F, y, yo + i), acc);
        float s = sumLanes(acc); // a fixed order, not reduceLanes: reproducible from the first call
        for (; i < n; i++) s += x[xo + i] * y[yo + i];
        return s;
    }

    /** y += a · x lane-wise (multiply, then add: the scalar loop's roundings). */
    static void addScaled(float a, float[] x, int xo, float[] y, int yo, int n) {
        FloatVector av = FloatVector.broadcast(F, a);
        int i = 0;
        for (; i + L <= n; i += L) {
            FloatVector.fromArray(F, y, yo + i).add(FloatVector.fromArray(F, x, xo + i).mul(av)).intoArray(y, yo + i);
        }
        for (; i < n; i++) y[yo + i] += a * x[xo + i];
    }


    /** The exact integer sum of lanes that hold integers below 2^24 (float to int, then an integer reduction). */
    static int exactInt(FloatVector v) {
        return ((IntVector) v.convertShape(VectorOperators.F2I, I, 0)).reduceLanes(VectorOperators.ADD);
    }

    /** The lanes' exact integer sum (test hook only: allocates). */
    static int exact(FloatVector p) {
        int s = 0;
        for (float f : p.toArray()) s += (int) f;
        return s;
    }

    // Loops of two or four iterations around vector code compile poorly (C2 neither unrolls them nor keeps the
    // vectors in registers well: Q8_0 ran 1.7 times slower with its two 16-lane steps in a loop). So the
    // kernels spell out their 16-weight chunks; the "L == 8" branches are folded away by the JIT on 16-lane
    // machines and give the second half of the chunk on 8-lane ones.

    /** p + the 16 Q8_0 codes at {@code at} times the activation codes at {@code yo}. */
    static FloatVector q8Chunk(MemorySegment s, long at, float[] yq, int yo, FloatVector p) {
        p = floats(bytes(s, at)).fma(y(yq, yo), p);
        if (L == 8) p = floats(bytes(s, at + 8)).fma(y(yq, yo + 8), p);
        return p;
    }

    /** p + one Q4 block of 16 bytes: low nibbles are weights 0..15, high nibbles 16..31, minus {@code offset}. */
    static FloatVector q4Chunk(MemorySegment s, long at, float[] yq, int yo, byte offset, FloatVector p) {
        ByteVector v = bytes(s, at);
        p = floats(v.and((byte) 0xF).sub(offset)).fma(y(yq, yo), p);
        p = floats(shr(v, 4).sub(offset)).fma(y(yq, yo + 16), p);
        if (L == 8) {
            v = bytes(s, at + 8);
            p = floats(v.and((byte) 0xF).sub(offset)).fma(y(yq, yo + 8), p);
            p = floats(shr(v, 4).sub(offset)).fma(y(yq, yo + 24), p);
        }
        return p;
    }

    // ------------------------------------------------------------------ float weights

    static final class F32 extends RowKernel {
        F32(TensorInfo t) { super(t); }
        @Override void prepare(Activation x) {  }
        @Override float rowDot(Activation x, long at, int[] ints) {
            float[] y = x.values();
            FloatVector acc = FloatVector.zero(F);
            int i = 0;
            for (; i + L <= cols; i += L) acc = FloatVector.fromMemorySegment(F, data, at + 4L * i, LE).fma(y(y, i), acc);
            float sum = sumLanes(acc);
            for (; i < cols; i++) sum += data.get(Layouts.F32, at + 4L * i) * y[i];
            return sum;
        }
    }

    /**
     * F16 to F32 without a conversion instruction in the Vector API: the 15 magnitude bits shifted into a
     * float's exponent and mantissa give the value times 2^-112 exactly (subnormal halves become subnormal
     * floats), so one multiplication by 2^112 finishes the job; infinities and NaNs get the all-ones exponent.
     */
    static FloatVector halfToFloat(MemorySegment s, long at) {
        IntVector i = (IntVector) ShortVector.fromMemorySegment(S, s, at, LE).convertShape(VectorOperators.S2I, I, 0);
        IntVector mag = i.and(0x7fff);
        IntVector bits = mag.lanewise(VectorOperators.LSHL, 13);
        FloatVector f = bits.reinterpretAsFloats().mul(0x1p112f);
        VectorMask<Integer> special = mag.compare(VectorOperators.GE, 0x7c00);
        IntVector fb = f.reinterpretAsInts().blend(bits.or(0x7f800000), special);
        return fb.or(i.and(0x8000).lanewise(VectorOperators.LSHL, 16)).reinterpretAsFloats();
    }

    /**
     * F16 weights. Where the tensor has no infinity or NaN (checked once, when the kernel is made) a weight's 15
     * magnitude bits and its sign are only moved into a float's places, which reads as the value times 2^-112
     * exactly, and multiplied with the activation times 2^112 ({@link Activation#f16Wide}): the fused product is
     * the exact product of the two values, as with a full conversion, in 3 vector operations per 16 weights instead
     * of 10 (generation is bound by these instructions rather than by memory on F16). A tensor with an infinity or
     * NaN takes the full conversion, {@link #halfToFloat}.
     */
    static final class F16 extends RowKernel {
        private final boolean finite;

        F16(TensorInfo t) {
            super(t);
            this.finite = !hasInfinityOrNaN(data);
        }

        @Override void prepare(Activation x) { x.ensureF16(); }
        @Override float rowDot(Activation x, long at, int[] ints) {
            if (!finite) return rowDotSpecial(x, at);
            float[] y = x.f16Wide();
            FloatVector acc = FloatVector.zero(F);
            int i = 0;
            for (; i + L <= cols; i += L) {
                // sign-extended to int: the sign lands in bit 31 after the shift, with copies in bits 28-30 masked off
                IntVector h = (IntVector) ShortVector.fromMemorySegment(S, data, at + 2L * i, LE).convertShape(VectorOperators.S2I, I, 0);
                acc = h.lanewise(VectorOperators.LSHL, 13).and(0x8FFFE000).reinterpretAsFloats().fma(FloatVector.fromArray(F, y, i), acc);
            }
            float sum = sumLanes(acc);
            float[] y16 = x.f16();
            for (; i < cols; i++) sum += half(data, at + 2L * i) * y16[i];
            return sum;
        }

        private float rowDotSpecial(Activation x, long at) {
            float[] y = x.f16();
            FloatVector acc = FloatVector.zero(F);
            int i = 0;
            for (; i + L <= cols; i += L) acc = halfToFloat(data, at + 2L * i).fma(y(y, i), acc);
            float sum = sumLanes(acc);
            for (; i < cols; i++) sum += half(data, at + 2L * i) * y[i];
            return sum;
        }

        /** Whether any F16 in {@code s} has the all-ones exponent (an infinity or a NaN). */
        static boolean hasInfinityOrNaN(MemorySegment s) {
            long n = s.byteSize() / 2, i = 0;
            int lanes = S.length();
            ShortVector ones = ShortVector.broadcast(S, (short) 0x7c00);
            for (; i + lanes <= n; i += lanes) {
                if (ShortVector.fromMemorySegment(S, s, 2 * i, LE).and(ones).compare(VectorOperators.EQ, ones).anyTrue()) return true;
            }
            for (; i < n; i++) if ((s.get(Layouts.I16, 2 * i) & 0x7c00) == 0x7c00) return true;
            return false;
        }
    }

    static FloatVector bf16ToFloat(MemorySegment s, long at) {
        IntVector i = (IntVector) ShortVector.fromMemorySegment(S, s, at, LE).convertShape(VectorOperators.S2I, I, 0);
        return i.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
    }

    static final class BF16 extends RowKernel {
        BF16(TensorInfo t) { super(t); }
        @Override void prepare(Activation x) { x.ensureBF16(); }
        @Override float rowDot(Activation x, long at, int[] ints) {
            float[] y = x.bf16();
            FloatVector acc = FloatVector.zero(F);
            int i = 0;
            for (; i + L <= cols; i += L) acc = bf16ToFloat(data, at + 2L * i).fma(y(y, i), acc);
            float sum = sumLanes(acc);
            for (; i < cols; i++) sum += Float.intBitsToFloat(data.get(Layouts.I16, at + 2L * i) << 16) * y[i];
            return sum;
        }
    }

    // ------------------------------------------------------------------ 32-element blocks × Q8_0 / Q8_1

    /** Per lane per block: 32/L products of at most 128 * 127. */
    static final class Q8_0 extends RowKernel {
        Q8_0(TensorInfo t) { super(t); }
        @Override void prepare(Activation x) { x.ensureQ8(); }
        @Override float rowDot(Activation x, long rowAt, int[] ints) {
            float[] yq = x.q8f(), yd = x.q8d();
            FloatVector acc = FloatVector.zero(F);
            for (int b = 0; b < blocks; b++) {
                long at = rowAt + 34L * b;
                int yo = 32 * b;
                FloatVector p = q8Chunk(data, at + 2, yq, yo, FloatVector.zero(F));
                p = q8Chunk(data, at + 18, yq, yo + 16, p);
                if (ints != null) ints[b] = exact(p);
                acc = p.fma(splat(half(data, at) * yd[b]), acc);
            }
            return sumLanes(acc);
        }
    }

    static final class Q4_0 extends RowKernel {
        Q4_0(TensorInfo t) { super(t); }
        @Override void prepare(Activation x) { x.ensureQ8(); }
        @Override float rowDot(Activation x, long rowAt, int[] ints) {
            float[] yq = x.q8f(), yd = x.q8d();
            FloatVector acc = FloatVector.zero(F);
            for (int b = 0; b < blocks; b++) {
                long at = rowAt + 18L * b;
                int yo = 32 * b;
                FloatVector p = q4Chunk(data, at + 2, yq, yo, (byte) 8, FloatVector.zero(F));
                if (ints != null) ints[b] = exact(p);
                acc = p.fma(splat(half(data, at) * yd[b]), acc);
            }
            return sumLanes(acc);
        }
    }

    static final class Q4_1 extends RowKernel {
        Q4_1(TensorInfo t) { super(t); }
        @Override void prepare(Activation x) { x.ensureQ8(); }
        @Override float rowDot(Activation x, long rowAt, int[] ints) {
            float[] yq = x.q8f(), yd = x.q8d(), ys = x.q8s();
            FloatVector acc = FloatVector.zero(F);
            float mins = 0;
            for (int b = 0; b < blocks; b++) {
                long at = rowAt + 20L * b;
                int yo = 32 * b;
                FloatVector p = q4Chunk(data, at + 4, yq, yo, (byte) 0, FloatVector.zero(F));
                if (ints != null) ints[b] = exact(p);
                acc = p.fma(splat(half(data, at) * yd[b]), acc);
                mins += half(data, at + 2) * ys[b];
            }
            return sumLanes(acc) + mins;
        }
    }

    /** 1 << j for j in 0..31: lane j's bit of a block's 32 fifth bits. */
    private static final int[] POW2 = new int[32];
    static {
        for (int j = 0; j < 32; j++) POW2[j] = 1 << j;
    }

    /**
     * The exact integer dot product of one Q5 block's unsigned 5-bit codes (offset not removed) with the Q8 codes
     * at {@code yo}: low nibbles from {@code qs}, the fifth bit of weight j from bit j of {@code qh}, added as 16
     * where it is set. Per lane: 32/L products of at most 31 * 127.
     */
    static int q5Block(MemorySegment s, long qs, int qh, float[] yq, int yo) {
        IntVector bits = IntVector.broadcast(I, qh);
        FloatVector p = FloatVector.zero(F);
        for (int l = 0; l < 16; l += L) {
            ByteVector v = bytes(s, qs + l);
            VectorMask<Float> loBit = bits.and(IntVector.fromArray(I, POW2, l)).compare(VectorOperators.NE, 0).cast(F);
            VectorMask<Float> hiBit = bits.and(IntVector.fromArray(I, POW2, 16 + l)).compare(VectorOperators.NE, 0).cast(F);
            p = floats(v.and((byte) 0xF)).add(16f, loBit).fma(y(yq, yo + l), p);
            p = floats(shr(v, 4)).add(16f, hiBit).fma(y(yq, yo + 16 + l), p);
        }
        return exactInt(p);
    }

    /** Q5_0's codes are centred on 16: {@code sum((q - 16) y) = sum(q y) - 16 sum(y)}, all exact integers. */
    static final class Q5_0 extends RowKernel {
        Q5_0(TensorInfo t) { super(t); }
        @Override void prepare(Activation x) { x.ensureQ8(); }
        @Override float rowDot(Activation x, long rowAt, int[] ints) {
            float[] yq = x.q8f(), yd = x.q8d();
            int[] ysum = x.q8sum();
            float sum = 0;
            for (int b = 0; b < blocks; b++) {
                long at = rowAt + 22L * b;
                int sumi = q5Block(data, at + 6, u32(data, at + 2), yq, 32 * b) - 16 * ysum[b];
                if (ints != null) ints[b] = sumi;
                sum += sumi * (half(data, at) * yd[b]);
            }
            return sum;
        }
    }

    static final class Q5_1 extends RowKernel {
        Q5_1(TensorInfo t) { super(t); }
        @Override void prepare(Activation x) { x.ensureQ8(); }
        @Override float rowDot(Activation x, long rowAt, int[] ints) {
            float[] yq = x.q8f(), yd = x.q8d(), ys = x.q8s();
            float sum = 0;
            for (int b = 0; b < blocks; b++) {
                long at = rowAt + 24L * b;
                int sumi = q5Block(data, at + 8, u32(data, at + 4), yq, 32 * b);
                if (ints != null) ints[b] = sumi;
                sum += sumi * (half(data, at) * yd[b]) + half(data, at + 2) * ys[b];
            }
            return sum;
        }
    }

    /** The grid lookup is one 16-lane byte shuffle; the 16 looked-up codes are then widened L at a time. */
    static final class IQ4_NL extends RowKernel {
        private static final VectorSpecies<Byte> B16 = ByteVector.SPECIES_128;
        private static final ByteVector GRID;
        static {
            byte[] g = new byte[16];
            for (int i = 0; i < 16; i++) g[i] = (byte) ScalarKernels.IQ4_GRID[i];
            GRID = ByteVector.fromArray(B16, g, 0);
        }
        /** Swaps the two 64-bit halves of 16 bytes: on 8-lane machines the upper 8 looked-up values move down. */
        private static final VectorShuffle<Integer> SWAP_HALVES = VectorShuffle.fromValues(IntVector.SPECIES_128, 2, 3, 0, 1);

        IQ4_NL(TensorInfo t) { super(t); }
        @Override void prepare(Activation x) { x.ensureQ8(); }
        @Override float rowDot(Activation x, long rowAt, int[] ints) {
            float[] yq = x.q8f(), yd = x.q8d();
            FloatVector acc = FloatVector.zero(F);
            for (int b = 0; b < blocks; b++) {
                long at = rowAt + 18L * b;
                int yo = 32 * b;
                // Vector API calls only (see the class comment). On 8-lane machines the 16 looked-up bytes are
                // cut to their first 8 (reinterpretShape) before widening, and the upper 8 moved down first: a
                // widening between different lane counts (16 bytes to 8 floats, or convertShape part 1) is not
                // compiled to instructions and ran 0.6 GB/s.
                ByteVector v = ByteVector.fromMemorySegment(B16, data, at + 2, LE);
                ByteVector lo = GRID.rearrange(v.and((byte) 0xF).toShuffle());
                ByteVector hi = GRID.rearrange(v.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes()
                        .and((byte) 0xF).toShuffle());
                FloatVector p = ((FloatVector) lo.reinterpretShape(B, 0).convertShape(VectorOperators.B2F, F, 0))
                        .mul(FloatVector.fromArray(F, yq, yo));
                p = ((FloatVector) hi.reinterpretShape(B, 0).convertShape(VectorOperators.B2F, F, 0))
                        .fma(FloatVector.fromArray(F, yq, yo + 16), p);
                if (L == 8) {
                    Vector<Byte> lo2 = lo.reinterpretAsInts().rearrange(SWAP_HALVES).reinterpretAsBytes().reinterpretShape(B, 0);
                    Vector<Byte> hi2 = hi.reinterpretAsInts().rearrange(SWAP_HALVES).reinterpretAsBytes().reinterpretShape(B, 0);
                    p = ((FloatVector) lo2.convertShape(VectorOperators.B2F, F, 0)).fma(FloatVector.fromArray(F, yq, yo + 8), p);
                    p = ((FloatVector) hi2.convertShape(VectorOperators.B2F, F, 0)).fma(FloatVector.fromArray(F, yq, yo + 24), p);
                }
                if (ints != null) ints[b] = exact(p);
                acc = p.fma(FloatVector.broadcast(F, half(data, at) * yd[b]), acc);
            }
            return sumLanes(acc);
        }
    }

    // ------------------------------------------------------------------ K-quants × Q8_K
    //
    // Each kernel's row loop does exactly the scalar kernel's integer and float arithmetic; only the integer dot
    // products of a block (or half block) come from a vector method. Results are therefore bit-identical to the
    // scalar kernels. Group scales travel as 8 packed bytes in a long, unpacked with shifts (no calls).

    static int byteAt(long packed, int i) {
        return (int) (packed >>> (8 * i)) & 0xFF;
    }

    /** Q4_K/Q5_K: the 8 six-bit group scales packed one per byte (12-byte packing, see ScalarKernels.kScale). */
    static long kScales(MemorySegment s, long sc) {
        return kScales(s.get(Layouts.I32, sc), s.get(Layouts.I32, sc + 4), s.get(Layouts.I32, sc + 8));
    }

    /** {@link #kScales} from the three little-endian words of the 12 packed bytes. */
    static long kScales(int s0, int s1, int s2) {
        int low = s0 & 0x3F3F3F3F;
        int high = (s2 & 0x0F0F0F0F) | ((s0 >>> 2) & 0x30303030);
        return (low & 0xFFFFFFFFL) | (long) high << 32;
    }

    /** Q4_K/Q5_K: the 8 six-bit group mins packed one per byte. */
    static long kMins(MemorySegment s, long sc) {
        return kMins(s.get(Layouts.I32, sc), s.get(Layouts.I32, sc + 4), s.get(Layouts.I32, sc + 8));
    }

    /** {@link #kMins} from the three little-endian words of the 12 packed bytes. */
    static long kMins(int s0, int s1, int s2) {
        int low = s1 & 0x3F3F3F3F;
        int high = ((s2 >>> 4) & 0x0F0F0F0F) | ((s1 >>> 2) & 0x30303030);
        return (low & 0xFFFFFFFFL) | (long) high << 32;
    }

    /** Q3_K: the stored (offset) 6-bit scales of groups 8h..8h+7, one per byte. */
    static long q3Scales(MemorySegment s, long sc, int h) {
        int a = s.get(Layouts.I32, sc + 4L * 0), b = s.get(Layouts.I32, sc + 4), tmp = s.get(Layouts.I32, sc + 8);
        int lo, hi;
        if (h == 0) {
            lo = (a & 0x0F0F0F0F) | ((tmp << 4) & 0x30303030);
            hi = (b & 0x0F0F0F0F) | ((tmp << 2) & 0x30303030);
        } else {
            lo = ((a >>> 4) & 0x0F0F0F0F) | (tmp & 0x30303030);
            hi = ((b >>> 4) & 0x0F0F0F0F) | ((tmp >>> 2) & 0x30303030);
        }
        return (lo & 0xFFFFFFFFL) | (long) hi << 32;
    }

    /**
     * Bits {@code shift..} of every byte under {@code mask}: a 32-bit lane shift (x86 has no byte shift) whose
     * bits crossing in from the neighbouring byte are cut off by the mask. Four Vector API calls.
     */
    static ByteVector field(ByteVector v, int shift, int mask) {
        return v.reinterpretAsInts().lanewise(VectorOperators.LSHR, shift).reinterpretAsBytes().and((byte) mask);
    }

    /** Every byte shifted left by {@code shift} and cut to {@code mask}, on 32-bit lanes like {@link #field}. */
    static ByteVector fieldUp(ByteVector v, int shift, int mask) {
        return v.reinterpretAsInts().lanewise(VectorOperators.LSHL, shift).reinterpretAsBytes().and((byte) mask);
    }

    // The K-quant units below each cover one 16-weight column (lsel) of a block or half block: a loop over the
    // groups of that column, whose body is one 16-weight chunk (the inner loop over L lanes runs once on
    // 16-lane machines and disappears). Each chunk is summed on its own and added to the accumulator, so the
    // loop-carried dependency is one addition, not a chain of fused multiply-adds.

    /** Q2_K, half {@code half}, column {@code lsel}: 4 groups of 16; per lane 4 or 8 products of at most 3*15*127. */
    static int q2kUnit(MemorySegment s, long at, int half, int lsel, float[] yq, int yo) {
        long scales = s.get(Layouts.I64, at + 8L * half);
        long q = at + 16 + 32L * half + 16 * lsel;
        int yb = yo + 128 * half + 16 * lsel;
        FloatVector p = FloatVector.zero(F);
        for (int pair = 0; pair < 4; pair++) {
            int sc = byteAt(scales, 2 * pair + lsel) & 0xF;
            for (int o = 0; o < 16; o += L) {
                ByteVector code = field(bytes(s, q + o), 2 * pair, 3);
                p = p.add(floats(code).mul(sc).mul(y(yq, yb + 32 * pair + o)));
            }
        }
        return exactInt(p);
    }

    /**
     * Q2_K on 16-lane machines: the block's exact products stay in the lanes, each group's codes times the
     * activation scaled by the group's 4-bit scale as they are added (per lane and block 16 products of at most
     * 3 * 127 * 15, below 2^24), and the block's lanes scaled by {@code d * d_y} lane-wise; the mins' part is the
     * scalar kernel's. 1.45 → 1.85 GB/s single-thread. On 8-lane machines the same form measured no faster, and
     * the per-unit form ({@link #q2kUnit}, reduced to an integer per unit as ggml's scalar code) stays.
     */
    static final class Q2_K extends RowKernel {
        Q2_K(TensorInfo t) { super(t); }
        @Override void prepare(Activation x) { x.ensureQ8K(); }
        @Override float rowDot(Activation x, long rowAt, int[] ints) {
            if (L != 16) return rowDotUnits(x, rowAt, ints);
            float[] yq = x.qkf(), yd = x.qkd();
            int[] bsums = x.qkSums();
            FloatVector acc = FloatVector.zero(F);
            float minPart = 0;
            for (int b = 0; b < blocks; b++) {
                long at = rowAt + 84L * b;
                int summs = 0;
                for (int g = 0; g < 16; g++) summs += (u8(data, at + g) >>> 4) * bsums[16 * b + g];
                int yo = 256 * b;
                FloatVector blk = FloatVector.zero(F);
                for (int u = 0; u < 64 / L; u++) {
                    int half = u / (32 / L), lsel = (u / (16 / L)) & 1, o = L * (u % (16 / L));
                    long scales = data.get(Layouts.I64, at + 8L * half) >>> (8 * lsel);
                    int yb = yo + 128 * half + 16 * lsel + o;
                    IntVector v = ByteVector.fromMemorySegment(B, data, at + 16 + 32L * half + 16 * lsel + o, LE).reinterpretAsInts();
                    ByteVector c0 = v.reinterpretAsBytes().and((byte) 3);
                    ByteVector c1 = v.lanewise(VectorOperators.LSHR, 2).reinterpretAsBytes().and((byte) 3);
                    ByteVector c2 = v.lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 3);
                    ByteVector c3 = v.lanewise(VectorOperators.LSHR, 6).reinterpretAsBytes().and((byte) 3);
                    blk = ((FloatVector) c0.convertShape(VectorOperators.B2F, F, 0)).mul(FloatVector.fromArray(F, yq, yb))
                            .fma(FloatVector.broadcast(F, (int) scales & 0xF), blk);
                    blk = ((FloatVector) c1.convertShape(VectorOperators.B2F, F, 0)).mul(FloatVector.fromArray(F, yq, yb + 32))
                            .fma(FloatVector.broadcast(F, (int) (scales >>> 16) & 0xF), blk);
                    blk = ((FloatVector) c2.convertShape(VectorOperators.B2F, F, 0)).mul(FloatVector.fromArray(F, yq, yb + 64))
                            .fma(FloatVector.broadcast(F, (int) (scales >>> 32) & 0xF), blk);
                    blk = ((FloatVector) c3.convertShape(VectorOperators.B2F, F, 0)).mul(FloatVector.fromArray(F, yq, yb + 96))
                            .fma(FloatVector.broadcast(F, (int) (scales >>> 48) & 0xF), blk);
                }
                if (ints != null) ints[b] = exact(blk);
                float dy = yd[b];
                acc = blk.fma(FloatVector.broadcast(F, dy * half(data, at + 80)), acc);
                minPart += dy * half(data, at + 82) * summs;
            }
            return sumLanes(acc) - minPart;
        }

        float rowDotUnits(Activation x, long rowAt, int[] ints) {
            float[] yq = x.qkf(), yd = x.qkd();
            int[] bsums = x.qkSums();
            float sum = 0;
            for (int b = 0; b < blocks; b++) {
                long at = rowAt + 84L * b;
                int summs = 0;
                for (int g = 0; g < 16; g++) summs += (u8(data, at + g) >>> 4) * bsums[16 * b + g];
                int isum = 0;
                for (int u = 0; u < 4; u++) isum += q2kUnit(data, at, u >>> 1, u & 1, yq, 256 * b); // one call site
                if (ints != null) ints[b] = isum;
                float dy = yd[b];
                sum += dy * half(data, at + 80) * isum - dy * half(data, at + 82) * summs;
            }
            return sum;
        }
    }

    /** Q3_K, half {@code half}, column {@code lsel}: per lane 4 or 8 products of at most 4 * 32 * 127. */
    static int q3kUnit(MemorySegment s, long at, int half, int lsel, float[] yq, int yo) {
        long scales = q3Scales(s, at + 96, half);
        long q = at + 32 + 32L * half + 16 * lsel, hm = at + 16 * lsel;
        int yb = yo + 128 * half + 16 * lsel;
        FloatVector p = FloatVector.zero(F);
        for (int pair = 0; pair < 4; pair++) {
            int sc = byteAt(scales, 2 * pair + lsel) - 32;
            for (int o = 0; o < 16; o += L) {
                // code = low - 4 where the hmask bit is clear, low where it is set
                ByteVector low = field(bytes(s, q + o), 2 * pair, 3);
                VectorMask<Byte> set = bytes(s, hm + o).and((byte) (1 << (4 * half + pair))).compare(VectorOperators.NE, 0);
                ByteVector code = low.sub((byte) 4).add((byte) 4, set);
                p = p.add(floats(code).mul(sc).mul(y(yq, yb + 32 * pair + o)));
            }
        }
        return exactInt(p);
    }

    /**
     * Q3_K on 16-lane machines, lane-wise like {@link Q2_K}: the codes are used plus 4 (the hmask bit set as bit 2,
     * 0..7, at most 16 products per lane and block of 7 * 128 * 32, below 2^24), and the 4 comes off through the
     * activation's 16-element sums times the group scales. 1.75 → 2.1 GB/s single-thread; on 8-lane machines it
     * measured slower (1.36 → 1.12), and the per-unit form ({@link #q3kUnit}) stays there.
     */
    static final class Q3_K extends RowKernel {
        Q3_K(TensorInfo t) { super(t); }
        @Override void prepare(Activation x) { x.ensureQ8K(); }
        @Override float rowDot(Activation x, long rowAt, int[] ints) {
            if (L != 16) return rowDotUnits(x, rowAt, ints);
            float[] yq = x.qkf(), yd = x.qkd();
            int[] bsums = x.qkSums();
            FloatVector acc = FloatVector.zero(F);
            float offsetPart = 0;
            for (int b = 0; b < blocks; b++) {
                long at = rowAt + 110L * b;
                long sc0 = q3Scales(data, at + 96, 0), sc1 = q3Scales(data, at + 96, 1);
                int offset = 0;
                for (int g = 0; g < 8; g++) {
                    offset += (byteAt(sc0, g) - 32) * bsums[16 * b + g] + (byteAt(sc1, g) - 32) * bsums[16 * b + 8 + g];
                }
                int yo = 256 * b;
                FloatVector blk = FloatVector.zero(F);
                for (int u = 0; u < 64 / L; u++) {
                    int half = u / (32 / L), lsel = (u / (16 / L)) & 1, o = L * (u % (16 / L));
                    long scales = (half == 0 ? sc0 : sc1) >>> (8 * lsel);
                    int yb = yo + 128 * half + 16 * lsel + o;
                    IntVector v = ByteVector.fromMemorySegment(B, data, at + 32 + 32L * half + 16 * lsel + o, LE).reinterpretAsInts();
                    IntVector hb = ByteVector.fromMemorySegment(B, data, at + 16 * lsel + o, LE).reinterpretAsInts()
                            .lanewise(VectorOperators.LSHR, 4 * half);
                    // code + 4 = low two bits | hmask bit << 2 (0..7); the 4 comes off through the block sums
                    ByteVector c0 = v.reinterpretAsBytes().and((byte) 3)
                            .or(hb.lanewise(VectorOperators.LSHL, 2).reinterpretAsBytes().and((byte) 4));
                    ByteVector c1 = v.lanewise(VectorOperators.LSHR, 2).reinterpretAsBytes().and((byte) 3)
                            .or(hb.lanewise(VectorOperators.LSHL, 1).reinterpretAsBytes().and((byte) 4));
                    ByteVector c2 = v.lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 3)
                            .or(hb.reinterpretAsBytes().and((byte) 4));
                    ByteVector c3 = v.lanewise(VectorOperators.LSHR, 6).reinterpretAsBytes().and((byte) 3)
                            .or(hb.lanewise(VectorOperators.LSHR, 1).reinterpretAsBytes().and((byte) 4));
                    blk = ((FloatVector) c0.convertShape(VectorOperators.B2F, F, 0)).mul(FloatVector.fromArray(F, yq, yb))
                            .fma(FloatVector.broadcast(F, ((int) scales & 0xFF) - 32), blk);
                    blk = ((FloatVector) c1.convertShape(VectorOperators.B2F, F, 0)).mul(FloatVector.fromArray(F, yq, yb + 32))
                            .fma(FloatVector.broadcast(F, ((int) (scales >>> 16) & 0xFF) - 32), blk);
                    blk = ((FloatVector) c2.convertShape(VectorOperators.B2F, F, 0)).mul(FloatVector.fromArray(F, yq, yb + 64))
                            .fma(FloatVector.broadcast(F, ((int) (scales >>> 32) & 0xFF) - 32), blk);
                    blk = ((FloatVector) c3.convertShape(VectorOperators.B2F, F, 0)).mul(FloatVector.fromArray(F, yq, yb + 96))
                            .fma(FloatVector.broadcast(F, ((int) (scales >>> 48) & 0xFF) - 32), blk);
                }
                if (ints != null) ints[b] = exact(blk) - 4 * offset;
                float dd = half(data, at + 108) * yd[b];
                acc = blk.fma(FloatVector.broadcast(F, dd), acc);
                offsetPart += dd * (4 * offset);
            }
            return sumLanes(acc) - offsetPart;
        }

        float rowDotUnits(Activation x, long rowAt, int[] ints) {
            float[] yq = x.qkf(), yd = x.qkd();
            float sum = 0;
            for (int b = 0; b < blocks; b++) {
                long at = rowAt + 110L * b;
                int isum = 0;
                for (int u = 0; u < 4; u++) isum += q3kUnit(data, at, u >>> 1, u & 1, yq, 256 * b); // one call site
                if (ints != null) ints[b] = isum;
                sum += half(data, at + 108) * yd[b] * isum;
            }
            return sum;
        }
    }

    /**
     * Like ggml's AVX code: a block's integer dot product stays in the lanes, is scaled by {@code d * d_y} and
     * accumulated lane-wise; the lanes are added once per row. Each pass of the inner loop takes 2L bytes (all of
     * a 32-byte run c on 16-lane machines, half of one on 8-lane ones): their low nibbles are group 2c, their high
     * nibbles group 2c + 1. Each group's codes times the activation are summed first (2 products per lane of at
     * most 15 * 127) and then scaled once, so a whole block adds per lane at most 32 * 15 * 127 * 63, below 2^24:
     * the lanes hold exact integers. The mins' part is the scalar kernel's, from the activation's 32-element sums.
     */
    static final class Q4_K extends RowKernel {
        Q4_K(TensorInfo t) { super(t); }
        @Override void prepare(Activation x) { x.ensureQ8K(); }
        @Override float rowDot(Activation x, long rowAt, int[] ints) {
            float[] yq = x.qkf(), yd = x.qkd();
            int[] sums32 = x.qkSums32();
            FloatVector acc = FloatVector.zero(F);
            float minPart = 0;
            for (int b = 0; b < blocks; b++) {
                long at = rowAt + 144L * b;
                // the 12 bytes of packed scales and mins, read once
                int s0 = data.get(Layouts.I32, at + 4), s1 = data.get(Layouts.I32, at + 8), s2 = data.get(Layouts.I32, at + 12);
                long mins = kMins(s0, s1, s2), scales = kScales(s0, s1, s2);
                int summs = 0;
                for (int g = 0; g < 8; g++) summs += byteAt(mins, g) * sums32[8 * b + g];
                int yo = 256 * b;
                FloatVector blk = FloatVector.zero(F);
                // one call site (C2's node budget holds one inlined copy, not four), 2L bytes of a run per call
                for (int u = 0; u < 64 / L; u++) {
                    int c = u / (16 / L), o = 2 * L * (u % (16 / L));
                    long q = at + 16 + 32 * c + o;
                    int yb = yo + 64 * c + o;
                    // Vector API calls only, no method of ours: a helper for this run was, in about one JVM run in
                    // six, compiled on its own and then not inlined here, its vectors boxed (seen: generation 38 →
                    // 22 tokens/s, gigabytes of garbage); the API's own methods are always inlined.
                    ByteVector v0 = ByteVector.fromMemorySegment(B, data, q, LE), v1 = ByteVector.fromMemorySegment(B, data, q + L, LE);
                    FloatVector lo = ((FloatVector) v0.and((byte) 0xF).convertShape(VectorOperators.B2F, F, 0))
                            .mul(FloatVector.fromArray(F, yq, yb));
                    lo = ((FloatVector) v1.and((byte) 0xF).convertShape(VectorOperators.B2F, F, 0))
                            .fma(FloatVector.fromArray(F, yq, yb + L), lo);
                    FloatVector hi = ((FloatVector) v0.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes()
                            .and((byte) 0xF).convertShape(VectorOperators.B2F, F, 0)).mul(FloatVector.fromArray(F, yq, yb + 32));
                    hi = ((FloatVector) v1.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes()
                            .and((byte) 0xF).convertShape(VectorOperators.B2F, F, 0)).fma(FloatVector.fromArray(F, yq, yb + 32 + L), hi);
                    blk = lo.fma(FloatVector.broadcast(F, byteAt(scales, 2 * c)), hi.fma(FloatVector.broadcast(F, byteAt(scales, 2 * c + 1)), blk));
                }
                if (ints != null) ints[b] = exact(blk);
                float dy = yd[b];
                acc = blk.fma(splat(dy * half(data, at)), acc);
                minPart += dy * half(data, at + 2) * summs;
            }
            return sumLanes(acc) - minPart;
        }
    }

    /**
     * Q5_K, 2L bytes of the 32-byte run {@code c} (low nibbles group 2c, high nibbles group 2c + 1) with their fifth
     * bits, bits 2c and 2c + 1 of the matching qh bytes, set as bit 4 of the codes through a lane mask. Returns
     * {@code blk} plus the products, summed per group and scaled once: per lane and block at most 32 products of
     * 31 * 127 * 63, below 2^24, so the lanes hold exact integers (as in {@link Q4_K}).
     */
    static FloatVector q5kRun(MemorySegment s, long q, long h, int c, float s1, float s2, float[] yq, int yb, FloatVector blk) {
        // Vector API calls only: they are force-inlined past C2's node cutoff, helper methods of ours would not be
        ByteVector v0 = ByteVector.fromMemorySegment(B, s, q, LE), v1 = ByteVector.fromMemorySegment(B, s, q + L, LE);
        ByteVector h0 = ByteVector.fromMemorySegment(B, s, h, LE), h1 = ByteVector.fromMemorySegment(B, s, h + L, LE);
        byte bitLo = (byte) (1 << 2 * c), bitHi = (byte) (1 << 2 * c + 1);
        ByteVector lo0 = v0.and((byte) 0xF).lanewise(VectorOperators.OR, (byte) 0x10, h0.and(bitLo).compare(VectorOperators.NE, 0));
        ByteVector lo1 = v1.and((byte) 0xF).lanewise(VectorOperators.OR, (byte) 0x10, h1.and(bitLo).compare(VectorOperators.NE, 0));
        ByteVector hi0 = v0.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 0xF)
                .lanewise(VectorOperators.OR, (byte) 0x10, h0.and(bitHi).compare(VectorOperators.NE, 0));
        ByteVector hi1 = v1.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 0xF)
                .lanewise(VectorOperators.OR, (byte) 0x10, h1.and(bitHi).compare(VectorOperators.NE, 0));
        FloatVector lo = ((FloatVector) lo0.convertShape(VectorOperators.B2F, F, 0)).mul(FloatVector.fromArray(F, yq, yb))
                .add(((FloatVector) lo1.convertShape(VectorOperators.B2F, F, 0)).mul(FloatVector.fromArray(F, yq, yb + L)));
        FloatVector hi = ((FloatVector) hi0.convertShape(VectorOperators.B2F, F, 0)).mul(FloatVector.fromArray(F, yq, yb + 32))
                .add(((FloatVector) hi1.convertShape(VectorOperators.B2F, F, 0)).mul(FloatVector.fromArray(F, yq, yb + 32 + L)));
        return lo.fma(FloatVector.broadcast(F, s1), hi.fma(FloatVector.broadcast(F, s2), blk));
    }

    /** Like {@link Q4_K}, with the fifth bits: the block's exact lanes scaled by {@code d * d_y} lane-wise. */
    static final class Q5_K extends RowKernel {
        Q5_K(TensorInfo t) { super(t); }
        @Override void prepare(Activation x) { x.ensureQ8K(); }
        @Override float rowDot(Activation x, long rowAt, int[] ints) {
            float[] yq = x.qkf(), yd = x.qkd();
            int[] sums32 = x.qkSums32();
            FloatVector acc = FloatVector.zero(F);
            float minPart = 0;
            for (int b = 0; b < blocks; b++) {
                long at = rowAt + 176L * b;
                int s0 = data.get(Layouts.I32, at + 4), s1 = data.get(Layouts.I32, at + 8), s2 = data.get(Layouts.I32, at + 12);
                long mins = kMins(s0, s1, s2), scales = kScales(s0, s1, s2);
                int summs = 0;
                for (int g = 0; g < 8; g++) summs += byteAt(mins, g) * sums32[8 * b + g];
                int yo = 256 * b;
                FloatVector blk = FloatVector.zero(F);
                // one call site (C2's node budget holds one inlined copy), 2L bytes of a run per call
                for (int u = 0; u < 64 / L; u++) {
                    int c = u / (16 / L), o = 2 * L * (u % (16 / L));
                    blk = q5kRun(data, at + 48 + 32 * c + o, at + 16 + o, c, byteAt(scales, 2 * c), byteAt(scales, 2 * c + 1),
                            yq, yo + 64 * c + o, blk);
                }
                if (ints != null) ints[b] = exact(blk);
                float dy = yd[b];
                acc = blk.fma(splat(dy * half(data, at)), acc);
                minPart += dy * half(data, at + 2) * summs;
            }
            return sumLanes(acc) - minPart;
        }
    }

    /**
     * Q6_K in chunks of L lanes at offset {@code o} (0 or 16; 0, 8, 16, 24 on 8-lane machines) of a half block: one
     * lane from each of the four groups that share those bytes (weights o, o + 32, o + 64, o + 96 of the half). The
     * 6-bit codes are put together in byte lanes (low nibble | two high bits << 4) and used without their offset of
     * 32, which comes off through the activation's 16-element sums. Per lane and half at most 8 (16 on 8-lane
     * machines) products of 63 * 127 * 128, below 2^24: a half block's lanes hold exact integers, scaled by
     * {@code d * d_y} and accumulated lane-wise, like {@link Q4_K}.
     */
    static final class Q6_K extends RowKernel {
        Q6_K(TensorInfo t) { super(t); }
        @Override void prepare(Activation x) { x.ensureQ8K(); }
        @Override float rowDot(Activation x, long rowAt, int[] ints) {
            float[] yq = x.qkf(), yd = x.qkd();
            int[] bsums = x.qkSums();
            FloatVector acc = FloatVector.zero(F);
            float offsetPart = 0;
            for (int b = 0; b < blocks; b++) {
                long at = rowAt + 210L * b;
                int yo = 256 * b;
                float dd = half(data, at + 208) * yd[b];
                int isum = 0;
                FloatVector blk = FloatVector.zero(F);
                for (int u = 0; u < 64 / L; u++) { // one call site: C2's node budget holds one inlined copy
                    int half = u / (32 / L), o = L * (u % (32 / L));
                    long scales = data.get(Layouts.I64, at + 192 + 8L * half) >>> (8 * (o >>> 4));
                    long ql = at + 64L * half + o, qh = at + 128 + 32L * half + o;
                    int yb = yo + 128 * half + o;
                    // Vector API calls only, no helper methods of ours: the API's methods are force-inlined
                    // past C2's node cutoff, ours would not be
                    ByteVector a = ByteVector.fromMemorySegment(B, data, ql, LE);
                    ByteVector c = ByteVector.fromMemorySegment(B, data, ql + 32, LE);
                    ByteVector h = ByteVector.fromMemorySegment(B, data, qh, LE);
                    IntVector hi = h.reinterpretAsInts();
                    ByteVector c1 = a.and((byte) 0xF).or(hi.lanewise(VectorOperators.LSHL, 4).reinterpretAsBytes().and((byte) 0x30));
                    ByteVector c2 = c.and((byte) 0xF).or(hi.lanewise(VectorOperators.LSHL, 2).reinterpretAsBytes().and((byte) 0x30));
                    ByteVector c3 = a.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 0xF)
                            .or(h.and((byte) 0x30));
                    ByteVector c4 = c.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 0xF)
                            .or(hi.lanewise(VectorOperators.LSHR, 2).reinterpretAsBytes().and((byte) 0x30));
                    FloatVector chunk = ((FloatVector) c1.convertShape(VectorOperators.B2F, F, 0)).mul(FloatVector.fromArray(F, yq, yb))
                            .fma(FloatVector.broadcast(F, (byte) scales), blk);
                    chunk = ((FloatVector) c2.convertShape(VectorOperators.B2F, F, 0)).mul(FloatVector.fromArray(F, yq, yb + 32))
                            .fma(FloatVector.broadcast(F, (byte) (scales >>> 16)), chunk);
                    chunk = ((FloatVector) c3.convertShape(VectorOperators.B2F, F, 0)).mul(FloatVector.fromArray(F, yq, yb + 64))
                            .fma(FloatVector.broadcast(F, (byte) (scales >>> 32)), chunk);
                    chunk = ((FloatVector) c4.convertShape(VectorOperators.B2F, F, 0)).mul(FloatVector.fromArray(F, yq, yb + 96))
                            .fma(FloatVector.broadcast(F, (byte) (scales >>> 48)), chunk);
                    blk = chunk;
                    if (o + L == 32) { // the half's last chunk: its exact lanes scaled once
                        acc = blk.fma(FloatVector.broadcast(F, dd), acc);
                        if (ints != null) isum += exact(blk);
                        blk = FloatVector.zero(F);
                    }
                }
                // the codes' offset of 32: sum over the 16 groups of scale * (sum of the group's activation codes)
                long s0 = data.get(Layouts.I64, at + 192), s1 = data.get(Layouts.I64, at + 200);
                int offset = 0;
                for (int g = 0; g < 8; g++) {
                    offset += (byte) (s0 >>> (8 * g)) * bsums[16 * b + g] + (byte) (s1 >>> (8 * g)) * bsums[16 * b + 8 + g];
                }
                if (ints != null) ints[b] = isum - 32 * offset;
                offsetPart += dd * (32 * offset);
            }
            return sumLanes(acc) - offsetPart;
        }
    }
}
