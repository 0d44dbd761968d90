package dev.quantscope.engine.kernel;

import dev.quantscope.tensor.Layouts;
import dev.quantscope.tensor.TensorInfo;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

import static dev.quantscope.engine.kernel.ScalarKernels.half;
import static dev.quantscope.engine.kernel.ScalarKernels.kMin;
import static dev.quantscope.engine.kernel.ScalarKernels.kScale;
import static dev.quantscope.engine.kernel.ScalarKernels.q3Scale;
import static dev.quantscope.engine.kernel.ScalarKernels.u32;
import static dev.quantscope.engine.kernel.ScalarKernels.u8;

/**
 * Vector API kernels, L = 16 float lanes on AVX-512 (8 on AVX2). Codes are unpacked with byte-lane masks and
 * shifts, widened to float lanes and multiplied with the activation's codes, which {@link Activation} keeps as
 * integer-valued floats. Integer products summed in float are exact while every partial sum stays below 2^24,
 * and each kernel's per-lane sums within one block stay below that bound (noted per type), so a block's lanes
 * hold exactly the integers ggml's integer dot product would: the "integer part" is bit-identical to the
 * scalar kernels' (the tests check it through {@code blockInts}). Only the float part differs in order: each
 * block's lanes are scaled by {@code d_x * d_y} and accumulated lane-wise, as ggml's AVX code does, and the
 * lanes are added once per row.
 *
 * <p>Why floats rather than 8-bit integer lanes: the Vector API has no byte dot product instruction
 * (vpdpbusd/pmaddubsw), and emulating one takes more operations than a widening conversion plus a fused
 * multiply-add; the block scales would also need a float conversion per block either way.
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
    private static final int[] IOTA = new int[32];
    static {
        for (int i = 0; i < IOTA.length; i++) IOTA[i] = i;
    }

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

    static ByteVector shr(ByteVector v, int n) {
        return v.lanewise(VectorOperators.LSHR, n); // logical: the byte is treated as unsigned
    }

    static ByteVector shl(ByteVector v, int n) {
        return v.lanewise(VectorOperators.LSHL, n);
    }

    /** The lanes' exact integer sum (test hook only: allocates). */
    static int exact(FloatVector p) {
        int s = 0;
        for (float f : p.toArray()) s += (int) f;
        return s;
    }

    // ------------------------------------------------------------------ float weights

    static final class F32 extends RowKernel {
        F32(TensorInfo t) { super(t); }
        @Override void prepare(Activation x) {}
        @Override float rowDot(Activation x, long at, int[] ints) {
            float[] y = x.values();
            FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F);
            int i = 0;
            for (; i + 2 * L <= cols; i += 2 * L) {
                a0 = FloatVector.fromMemorySegment(F, data, at + 4L * i, LE).fma(y(y, i), a0);
                a1 = FloatVector.fromMemorySegment(F, data, at + 4L * (i + L), LE).fma(y(y, i + L), a1);
            }
            for (; i + L <= cols; i += L) a0 = FloatVector.fromMemorySegment(F, data, at + 4L * i, LE).fma(y(y, i), a0);
            float sum = a0.add(a1).reduceLanes(VectorOperators.ADD);
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

    static final class F16 extends RowKernel {
        F16(TensorInfo t) { super(t); }
        @Override void prepare(Activation x) { x.ensureF16(); }
        @Override float rowDot(Activation x, long at, int[] ints) {
            float[] y = x.f16();
            FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F);
            int i = 0;
            for (; i + 2 * L <= cols; i += 2 * L) {
                a0 = halfToFloat(data, at + 2L * i).fma(y(y, i), a0);
                a1 = halfToFloat(data, at + 2L * (i + L)).fma(y(y, i + L), a1);
            }
            for (; i + L <= cols; i += L) a0 = halfToFloat(data, at + 2L * i).fma(y(y, i), a0);
            float sum = a0.add(a1).reduceLanes(VectorOperators.ADD);
            for (; i < cols; i++) sum += half(data, at + 2L * i) * y[i];
            return sum;
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
            FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F);
            int i = 0;
            for (; i + 2 * L <= cols; i += 2 * L) {
                a0 = bf16ToFloat(data, at + 2L * i).fma(y(y, i), a0);
                a1 = bf16ToFloat(data, at + 2L * (i + L)).fma(y(y, i + L), a1);
            }
            for (; i + L <= cols; i += L) a0 = bf16ToFloat(data, at + 2L * i).fma(y(y, i), a0);
            float sum = a0.add(a1).reduceLanes(VectorOperators.ADD);
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
                FloatVector p = FloatVector.zero(F);
                for (int l = 0; l < 32; l += L) p = floats(bytes(data, at + 2 + l)).fma(y(yq, yo + l), p);
                if (ints != null) ints[b] = exact(p);
                acc = p.fma(splat(half(data, at) * yd[b]), acc);
            }
            return acc.reduceLanes(VectorOperators.ADD);
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
                FloatVector p = FloatVector.zero(F);
                for (int l = 0; l < 16; l += L) {
                    ByteVector v = bytes(data, at + 2 + l);
                    p = floats(v.and((byte) 0xF).sub((byte) 8)).fma(y(yq, yo + l), p);
                    p = floats(shr(v, 4).sub((byte) 8)).fma(y(yq, yo + 16 + l), p);
                }
                if (ints != null) ints[b] = exact(p);
                acc = p.fma(splat(half(data, at) * yd[b]), acc);
            }
            return acc.reduceLanes(VectorOperators.ADD);
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
                FloatVector p = FloatVector.zero(F);
                for (int l = 0; l < 16; l += L) {
                    ByteVector v = bytes(data, at + 4 + l);
                    p = floats(v.and((byte) 0xF)).fma(y(yq, yo + l), p);
                    p = floats(shr(v, 4)).fma(y(yq, yo + 16 + l), p);
                }
                if (ints != null) ints[b] = exact(p);
                acc = p.fma(splat(half(data, at) * yd[b]), acc);
                mins += half(data, at + 2) * ys[b];
            }
            return acc.reduceLanes(VectorOperators.ADD) + mins;
        }
    }

    /** The 5-bit codes of lanes j..j+L: low nibbles {@code lo} plus bit j+lane of {@code qh} as bit 4. */
    static FloatVector fiveBit(ByteVector lo, int qh, int j, int offset) {
        IntVector low = (IntVector) lo.convertShape(VectorOperators.B2I, I, 0);
        IntVector high = IntVector.broadcast(I, qh).lanewise(VectorOperators.LSHR, IntVector.fromArray(I, IOTA, j))
                .and(1).lanewise(VectorOperators.LSHL, 4);
        return (FloatVector) low.or(high).sub(offset).convertShape(VectorOperators.I2F, F, 0);
    }

    static final class Q5_0 extends RowKernel {
        Q5_0(TensorInfo t) { super(t); }
        @Override void prepare(Activation x) { x.ensureQ8(); }
        @Override float rowDot(Activation x, long rowAt, int[] ints) {
            float[] yq = x.q8f(), yd = x.q8d();
            FloatVector acc = FloatVector.zero(F);
            for (int b = 0; b < blocks; b++) {
                long at = rowAt + 22L * b;
                int yo = 32 * b, qh = u32(data, at + 2);
                FloatVector p = FloatVector.zero(F);
                for (int l = 0; l < 16; l += L) {
                    ByteVector v = bytes(data, at + 6 + l);
                    p = fiveBit(v.and((byte) 0xF), qh, l, 16).fma(y(yq, yo + l), p);
                    p = fiveBit(shr(v, 4), qh, 16 + l, 16).fma(y(yq, yo + 16 + l), p);
                }
                if (ints != null) ints[b] = exact(p);
                acc = p.fma(splat(half(data, at) * yd[b]), acc);
            }
            return acc.reduceLanes(VectorOperators.ADD);
        }
    }

    static final class Q5_1 extends RowKernel {
        Q5_1(TensorInfo t) { super(t); }
        @Override void prepare(Activation x) { x.ensureQ8(); }
        @Override float rowDot(Activation x, long rowAt, int[] ints) {
            float[] yq = x.q8f(), yd = x.q8d(), ys = x.q8s();
            FloatVector acc = FloatVector.zero(F);
            float mins = 0;
            for (int b = 0; b < blocks; b++) {
                long at = rowAt + 24L * b;
                int yo = 32 * b, qh = u32(data, at + 4);
                FloatVector p = FloatVector.zero(F);
                for (int l = 0; l < 16; l += L) {
                    ByteVector v = bytes(data, at + 8 + l);
                    p = fiveBit(v.and((byte) 0xF), qh, l, 0).fma(y(yq, yo + l), p);
                    p = fiveBit(shr(v, 4), qh, 16 + l, 0).fma(y(yq, yo + 16 + l), p);
                }
                if (ints != null) ints[b] = exact(p);
                acc = p.fma(splat(half(data, at) * yd[b]), acc);
                mins += half(data, at + 2) * ys[b];
            }
            return acc.reduceLanes(VectorOperators.ADD) + mins;
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

        IQ4_NL(TensorInfo t) { super(t); }
        @Override void prepare(Activation x) { x.ensureQ8(); }
        @Override float rowDot(Activation x, long rowAt, int[] ints) {
            float[] yq = x.q8f(), yd = x.q8d();
            FloatVector acc = FloatVector.zero(F);
            for (int b = 0; b < blocks; b++) {
                long at = rowAt + 18L * b;
                int yo = 32 * b;
                ByteVector v = ByteVector.fromMemorySegment(B16, data, at + 2, LE);
                ByteVector lo = GRID.rearrange(v.and((byte) 0xF).toShuffle());
                ByteVector hi = GRID.rearrange(v.lanewise(VectorOperators.LSHR, 4).toShuffle());
                FloatVector p = FloatVector.zero(F);
                for (int part = 0; part < 16 / L; part++) {
                    p = ((FloatVector) lo.convertShape(VectorOperators.B2F, F, part)).fma(y(yq, yo + part * L), p);
                    p = ((FloatVector) hi.convertShape(VectorOperators.B2F, F, part)).fma(y(yq, yo + 16 + part * L), p);
                }
                if (ints != null) ints[b] = exact(p);
                acc = p.fma(splat(half(data, at) * yd[b]), acc);
            }
            return acc.reduceLanes(VectorOperators.ADD);
        }
    }

    // ------------------------------------------------------------------ K-quants × Q8_K

    /** Per lane per block: 256/L products of at most 3 * 127 * 15. */
    static final class Q2_K extends RowKernel {
        Q2_K(TensorInfo t) { super(t); }
        @Override void prepare(Activation x) { x.ensureQ8K(); }
        @Override float rowDot(Activation x, long rowAt, int[] ints) {
            float[] yq = x.qkf(), yd = x.qkd();
            int[] bsums = x.qkSums();
            FloatVector acc = FloatVector.zero(F);
            float mins = 0;
            for (int b = 0; b < blocks; b++) {
                long at = rowAt + 84L * b;
                int yo = 256 * b, summs = 0;
                for (int g = 0; g < 16; g++) summs += (u8(data, at + g) >>> 4) * bsums[16 * b + g];
                FloatVector blk = FloatVector.zero(F);
                for (int half = 0; half < 2; half++) {
                    for (int pair = 0; pair < 4; pair++) {
                        for (int l = 0; l < 32; l += L) {
                            int g = 8 * half + 2 * pair + (l >>> 4);
                            ByteVector v = shr(bytes(data, at + 16 + 32 * half + l), 2 * pair).and((byte) 3);
                            FloatVector p = floats(v).mul(y(yq, yo + 128 * half + 32 * pair + l));
                            blk = p.fma(splat(u8(data, at + g) & 0xF), blk);
                        }
                    }
                }
                if (ints != null) ints[b] = exact(blk);
                float dy = yd[b];
                acc = blk.fma(splat(dy * half(data, at + 80)), acc);
                mins += dy * half(data, at + 82) * summs;
            }
            return acc.reduceLanes(VectorOperators.ADD) - mins;
        }
    }

    /** Per lane per block: 256/L products of at most 4 * 127 * 32. */
    static final class Q3_K extends RowKernel {
        Q3_K(TensorInfo t) { super(t); }
        @Override void prepare(Activation x) { x.ensureQ8K(); }
        @Override float rowDot(Activation x, long rowAt, int[] ints) {
            float[] yq = x.qkf(), yd = x.qkd();
            FloatVector acc = FloatVector.zero(F);
            for (int b = 0; b < blocks; b++) {
                long at = rowAt + 110L * b;
                int yo = 256 * b;
                FloatVector blk = FloatVector.zero(F);
                for (int half = 0; half < 2; half++) {
                    for (int pair = 0; pair < 4; pair++) {
                        for (int l = 0; l < 32; l += L) {
                            int g = 8 * half + 2 * pair + (l >>> 4);
                            ByteVector low = shr(bytes(data, at + 32 + 32 * half + l), 2 * pair).and((byte) 3);
                            ByteVector high = shr(bytes(data, at + l), 4 * half + pair).and((byte) 1);
                            // code = low - 4 when the hmask bit is clear, low when it is set
                            ByteVector code = low.add(shl(high, 2)).sub((byte) 4);
                            FloatVector p = floats(code).mul(y(yq, yo + 128 * half + 32 * pair + l));
                            blk = p.fma(splat(q3Scale(data, at + 96, g)), blk);
                        }
                    }
                }
                if (ints != null) ints[b] = exact(blk);
                acc = blk.fma(splat(half(data, at + 108) * yd[b]), acc);
            }
            return acc.reduceLanes(VectorOperators.ADD);
        }
    }

    /** Per lane per block: 256/L products of at most 15 * 127 * 63. */
    static final class Q4_K extends RowKernel {
        Q4_K(TensorInfo t) { super(t); }
        @Override void prepare(Activation x) { x.ensureQ8K(); }
        @Override float rowDot(Activation x, long rowAt, int[] ints) {
            float[] yq = x.qkf(), yd = x.qkd();
            int[] bsums = x.qkSums();
            FloatVector acc = FloatVector.zero(F);
            float mins = 0;
            for (int b = 0; b < blocks; b++) {
                long at = rowAt + 144L * b;
                int yo = 256 * b, summs = 0;
                FloatVector blk = FloatVector.zero(F);
                for (int c = 0; c < 4; c++) {
                    FloatVector pLo = FloatVector.zero(F), pHi = FloatVector.zero(F);
                    for (int l = 0; l < 32; l += L) {
                        ByteVector v = bytes(data, at + 16 + 32 * c + l);
                        pLo = floats(v.and((byte) 0xF)).fma(y(yq, yo + 64 * c + l), pLo);
                        pHi = floats(shr(v, 4)).fma(y(yq, yo + 64 * c + 32 + l), pHi);
                    }
                    blk = pLo.fma(splat(kScale(data, at + 4, 2 * c)), blk);
                    blk = pHi.fma(splat(kScale(data, at + 4, 2 * c + 1)), blk);
                    int s = 16 * b + 4 * c;
                    summs += kMin(data, at + 4, 2 * c) * (bsums[s] + bsums[s + 1])
                            + kMin(data, at + 4, 2 * c + 1) * (bsums[s + 2] + bsums[s + 3]);
                }
                if (ints != null) ints[b] = exact(blk);
                float dy = yd[b];
                acc = blk.fma(splat(dy * half(data, at)), acc);
                mins += dy * half(data, at + 2) * summs;
            }
            return acc.reduceLanes(VectorOperators.ADD) - mins;
        }
    }

    /** Per lane per block: 256/L products of at most 31 * 127 * 63. */
    static final class Q5_K extends RowKernel {
        Q5_K(TensorInfo t) { super(t); }
        @Override void prepare(Activation x) { x.ensureQ8K(); }
        @Override float rowDot(Activation x, long rowAt, int[] ints) {
            float[] yq = x.qkf(), yd = x.qkd();
            int[] bsums = x.qkSums();
            FloatVector acc = FloatVector.zero(F);
            float mins = 0;
            for (int b = 0; b < blocks; b++) {
                long at = rowAt + 176L * b;
                int yo = 256 * b, summs = 0;
                FloatVector blk = FloatVector.zero(F);
                for (int c = 0; c < 4; c++) {
                    FloatVector pLo = FloatVector.zero(F), pHi = FloatVector.zero(F);
                    for (int l = 0; l < 32; l += L) {
                        ByteVector v = bytes(data, at + 48 + 32 * c + l);
                        ByteVector h = bytes(data, at + 16 + l);
                        ByteVector lo = v.and((byte) 0xF).or(shl(shr(h, 2 * c).and((byte) 1), 4));
                        ByteVector hi = shr(v, 4).or(shl(shr(h, 2 * c + 1).and((byte) 1), 4));
                        pLo = floats(lo).fma(y(yq, yo + 64 * c + l), pLo);
                        pHi = floats(hi).fma(y(yq, yo + 64 * c + 32 + l), pHi);
                    }
                    blk = pLo.fma(splat(kScale(data, at + 4, 2 * c)), blk);
                    blk = pHi.fma(splat(kScale(data, at + 4, 2 * c + 1)), blk);
                    int s = 16 * b + 4 * c;
                    summs += kMin(data, at + 4, 2 * c) * (bsums[s] + bsums[s + 1])
                            + kMin(data, at + 4, 2 * c + 1) * (bsums[s + 2] + bsums[s + 3]);
                }
                if (ints != null) ints[b] = exact(blk);
                float dy = yd[b];
                acc = blk.fma(splat(dy * half(data, at)), acc);
                mins += dy * half(data, at + 2) * summs;
            }
            return acc.reduceLanes(VectorOperators.ADD) - mins;
        }
    }

    /** Per lane per block: 256/L products of at most 32 * 127 * 128 (16.6 M for L = 8: still below 2^24). */
    static final class Q6_K extends RowKernel {
        Q6_K(TensorInfo t) { super(t); }
        @Override void prepare(Activation x) { x.ensureQ8K(); }
        @Override float rowDot(Activation x, long rowAt, int[] ints) {
            float[] yq = x.qkf(), yd = x.qkd();
            FloatVector acc = FloatVector.zero(F);
            for (int b = 0; b < blocks; b++) {
                long at = rowAt + 210L * b;
                int yo = 256 * b;
                FloatVector blk = FloatVector.zero(F);
                for (int half = 0; half < 2; half++) {
                    long ql = at + 64L * half, qh = at + 128 + 32L * half, sc = at + 192 + 8L * half;
                    int yh = yo + 128 * half;
                    for (int l = 0; l < 32; l += L) {
                        ByteVector a = bytes(data, ql + l), c = bytes(data, ql + 32 + l), h = bytes(data, qh + l);
                        int g = l >>> 4;
                        ByteVector q1 = a.and((byte) 0xF).or(shl(h.and((byte) 3), 4)).sub((byte) 32);
                        ByteVector q2 = c.and((byte) 0xF).or(shl(shr(h, 2).and((byte) 3), 4)).sub((byte) 32);
                        ByteVector q3 = shr(a, 4).or(shl(shr(h, 4).and((byte) 3), 4)).sub((byte) 32);
                        ByteVector q4 = shr(c, 4).or(shl(shr(h, 6), 4)).sub((byte) 32);
                        blk = floats(q1).mul(y(yq, yh + l)).fma(splat(ScalarKernels.i8(data, sc + g)), blk);
                        blk = floats(q2).mul(y(yq, yh + 32 + l)).fma(splat(ScalarKernels.i8(data, sc + 2 + g)), blk);
                        blk = floats(q3).mul(y(yq, yh + 64 + l)).fma(splat(ScalarKernels.i8(data, sc + 4 + g)), blk);
                        blk = floats(q4).mul(y(yq, yh + 96 + l)).fma(splat(ScalarKernels.i8(data, sc + 6 + g)), blk);
                    }
                }
                if (ints != null) ints[b] = exact(blk);
                acc = blk.fma(splat(half(data, at + 208) * yd[b]), acc);
            }
            return acc.reduceLanes(VectorOperators.ADD);
        }
    }
}
