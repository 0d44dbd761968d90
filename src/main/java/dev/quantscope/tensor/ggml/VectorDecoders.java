package dev.quantscope.tensor.ggml;

import dev.quantscope.tensor.DType;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

import static dev.quantscope.tensor.ggml.BlockBytes.*;

/**
 * Vector API (jdk.incubator.vector) decoders for the most common block types. They work on 8 weights at a time:
 * 8 bytes are loaded, their codes extracted with byte-lane shifts and masks, widened to 8 floats and scaled
 * (IQ4_NL instead looks 16 codes up in its grid with one byte shuffle).
 *
 * <p>Bit-exactness with the scalar decoders (and so with ggml) holds because every float operation is the same
 * single-rounding operation in the same order: codes are small integers (exact in float), the per-group
 * products such as {@code d * scale} are computed as scalars exactly as before, and the vector {@code mul} and
 * {@code sub} are separate IEEE operations, never fused.
 *
 * <p>This class is only loaded when the incubator module is present (see {@link GgmlDequantizers}).
 */
final class VectorDecoders {
    private VectorDecoders() {}

    private static final VectorSpecies<Byte> B8 = ByteVector.SPECIES_64;
    private static final VectorSpecies<Float> F8 = FloatVector.SPECIES_256;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    /**
     * Whether the hardware runs 8-float vectors natively. On narrower machines the Vector API would fall back to
     * slow Java emulation, so the scalar decoders are used instead.
     */
    static boolean worthwhile() {
        return FloatVector.SPECIES_PREFERRED.length() >= 8;
    }

    private static ByteVector load8(MemorySegment s, long at) {
        return ByteVector.fromMemorySegment(B8, s, at, LE);
    }

    /** Sign-extends 8 byte lanes to floats. */
    private static FloatVector widen(ByteVector b) {
        return (FloatVector) b.convertShape(VectorOperators.B2F, F8, 0);
    }

    private static ByteVector lowNibbles(ByteVector b) {
        return b.and((byte) 0x0F);
    }

    private static ByteVector highNibbles(ByteVector b) {
        return b.lanewise(VectorOperators.LSHR, 4); // logical: the byte is treated as unsigned
    }

    /** See {@link BlockQ8_0}. */
    static final class Q8_0 extends GgmlBlockDecoder {
        Q8_0() { super(DType.Q8_0); }

        @Override
        void decodeBlocks(MemorySegment s, int blocks, float[] y, int o) {
            for (int b = 0; b < blocks; b++, o += BlockQ8_0.ELEMENTS) {
                long at = (long) b * BlockQ8_0.BYTES;
                float d = half(s, at + BlockQ8_0.D);
                for (int j = 0; j < 32; j += 8) {
                    widen(load8(s, at + BlockQ8_0.QS + j)).mul(d).intoArray(y, o + j);
                }
            }
        }
    }

    /** See {@link BlockQ4_0}. */
    static final class Q4_0 extends GgmlBlockDecoder {
        Q4_0() { super(DType.Q4_0); }

        @Override
        void decodeBlocks(MemorySegment s, int blocks, float[] y, int o) {
            for (int b = 0; b < blocks; b++, o += BlockQ4_0.ELEMENTS) {
                long at = (long) b * BlockQ4_0.BYTES;
                float d = half(s, at + BlockQ4_0.D);
                for (int j = 0; j < 16; j += 8) {
                    ByteVector q = load8(s, at + BlockQ4_0.QS + j);
                    widen(lowNibbles(q).sub((byte) 8)).mul(d).intoArray(y, o + j);
                    widen(highNibbles(q).sub((byte) 8)).mul(d).intoArray(y, o + 16 + j);
                }
            }
        }
    }

    /** See {@link BlockQ4_1}. */
    static final class Q4_1 extends GgmlBlockDecoder {
        Q4_1() { super(DType.Q4_1); }

        @Override
        void decodeBlocks(MemorySegment s, int blocks, float[] y, int o) {
            for (int b = 0; b < blocks; b++, o += BlockQ4_1.ELEMENTS) {
                long at = (long) b * BlockQ4_1.BYTES;
                float d = half(s, at + BlockQ4_1.D);
                float m = half(s, at + BlockQ4_1.M);
                for (int j = 0; j < 16; j += 8) {
                    ByteVector q = load8(s, at + BlockQ4_1.QS + j);
                    widen(lowNibbles(q)).mul(d).add(m).intoArray(y, o + j);
                    widen(highNibbles(q)).mul(d).add(m).intoArray(y, o + 16 + j);
                }
            }
        }
    }

    /** See {@link BlockQ5_0}. */
    static final class Q5_0 extends GgmlBlockDecoder {
        /** Lane i selects bit i of a byte: spreads 8 bits of qh over 8 lanes. */
        private static final ByteVector LANE_BITS =
                ByteVector.fromArray(B8, new byte[] {1, 2, 4, 8, 16, 32, 64, (byte) 128}, 0);

        Q5_0() { super(DType.Q5_0); }

        @Override
        void decodeBlocks(MemorySegment s, int blocks, float[] y, int o) {
            for (int b = 0; b < blocks; b++, o += BlockQ5_0.ELEMENTS) {
                long at = (long) b * BlockQ5_0.BYTES;
                float d = half(s, at + BlockQ5_0.D);
                for (int j = 0; j < 16; j += 8) {
                    ByteVector q = load8(s, at + BlockQ5_0.QS + j);
                    // Byte j/8 of qh holds the fifth bits of weights j..j+7, byte 2 + j/8 those of j+16..j+23.
                    ByteVector h0 = fifthBits(u8(s, at + BlockQ5_0.QH + j / 8));
                    ByteVector h1 = fifthBits(u8(s, at + BlockQ5_0.QH + 2 + j / 8));
                    widen(lowNibbles(q).or(h0).sub((byte) 16)).mul(d).intoArray(y, o + j);
                    widen(highNibbles(q).or(h1).sub((byte) 16)).mul(d).intoArray(y, o + 16 + j);
                }
            }
        }

        /** 16 in lane i when bit i of {@code bits} is set, else 0. */
        private static ByteVector fifthBits(int bits) {
            ByteVector set = ByteVector.broadcast(B8, (byte) bits).and(LANE_BITS);
            return ByteVector.zero(B8).blend((byte) 16, set.compare(VectorOperators.NE, (byte) 0));
        }
    }

    /** See {@link BlockQ4_K}. */
    static final class Q4_K extends GgmlBlockDecoder {
        Q4_K() { super(DType.Q4_K); }

        @Override
        void decodeBlocks(MemorySegment s, int blocks, float[] y, int o) {
            for (int b = 0; b < blocks; b++) {
                long at = (long) b * BlockQ4_K.BYTES;
                float d = half(s, at + BlockQ4_K.D);
                float dmin = half(s, at + BlockQ4_K.DMIN);
                long scales = at + BlockQ4_K.SCALES;
                for (int c = 0; c < 4; c++, o += 64) {
                    float d1 = d * BlockQ4_K.scale(s, scales, 2 * c);
                    float m1 = dmin * BlockQ4_K.min(s, scales, 2 * c);
                    float d2 = d * BlockQ4_K.scale(s, scales, 2 * c + 1);
                    float m2 = dmin * BlockQ4_K.min(s, scales, 2 * c + 1);
                    long qs = at + BlockQ4_K.QS + 32L * c;
                    for (int l = 0; l < 32; l += 8) {
                        ByteVector q = load8(s, qs + l);
                        widen(lowNibbles(q)).mul(d1).sub(m1).intoArray(y, o + l);
                        widen(highNibbles(q)).mul(d2).sub(m2).intoArray(y, o + 32 + l);
                    }
                }
            }
        }
    }

    /** See {@link BlockQ2_K}. */
    static final class Q2_K extends GgmlBlockDecoder {
        Q2_K() { super(DType.Q2_K); }

        @Override
        void decodeBlocks(MemorySegment s, int blocks, float[] y, int o) {
            for (int b = 0; b < blocks; b++) {
                long at = (long) b * BlockQ2_K.BYTES;
                float d = half(s, at + BlockQ2_K.D);
                float dmin = half(s, at + BlockQ2_K.DMIN);
                int group = 0;
                for (int half = 0; half < 2; half++) {
                    long qs = at + BlockQ2_K.QS + 32L * half;
                    for (int shift = 0; shift < 8; shift += 2) {
                        for (int part = 0; part < 32; part += 16, o += 16) {
                            int sc = u8(s, at + BlockQ2_K.SCALES + group++);
                            float dl = d * (sc & 0xF);
                            float ml = dmin * (sc >>> 4);
                            for (int l = 0; l < 16; l += 8) {
                                ByteVector q = load8(s, qs + part + l).lanewise(VectorOperators.LSHR, shift).and((byte) 3);
                                widen(q).mul(dl).sub(ml).intoArray(y, o + l);
                            }
                        }
                    }
                }
            }
        }
    }

    /** See {@link BlockQ3_K}. */
    static final class Q3_K extends GgmlBlockDecoder {
        Q3_K() { super(DType.Q3_K); }

        @Override
        void decodeBlocks(MemorySegment s, int blocks, float[] y, int o) {
            for (int b = 0; b < blocks; b++) {
                long at = (long) b * BlockQ3_K.BYTES;
                float dAll = half(s, at + BlockQ3_K.D);
                int group = 0;
                int mask = 1;
                for (int half = 0; half < 2; half++) {
                    long qs = at + BlockQ3_K.QS + 32L * half;
                    for (int shift = 0; shift < 8; shift += 2, mask <<= 1) {
                        for (int part = 0; part < 32; part += 16, o += 16) {
                            float dl = dAll * (BlockQ3_K.scale(s, at + BlockQ3_K.SCALES, group++) - 32);
                            for (int l = 0; l < 16; l += 8) {
                                ByteVector low = load8(s, qs + part + l).lanewise(VectorOperators.LSHR, shift).and((byte) 3);
                                ByteVector hm = load8(s, at + BlockQ3_K.HMASK + part + l).and((byte) mask);
                                ByteVector q = low.lanewise(VectorOperators.SUB, (byte) 4, hm.compare(VectorOperators.EQ, (byte) 0));
                                widen(q).mul(dl).intoArray(y, o + l);
                            }
                        }
                    }
                }
            }
        }
    }

    /** See {@link BlockQ5_K}. */
    static final class Q5_K extends GgmlBlockDecoder {
        Q5_K() { super(DType.Q5_K); }

        @Override
        void decodeBlocks(MemorySegment s, int blocks, float[] y, int o) {
            for (int b = 0; b < blocks; b++) {
                long at = (long) b * BlockQ5_K.BYTES;
                float d = half(s, at + BlockQ5_K.D);
                float dmin = half(s, at + BlockQ5_K.DMIN);
                long scales = at + BlockQ5_K.SCALES;
                for (int c = 0; c < 4; c++, o += 64) {
                    float d1 = d * BlockQ4_K.scale(s, scales, 2 * c);
                    float m1 = dmin * BlockQ4_K.min(s, scales, 2 * c);
                    float d2 = d * BlockQ4_K.scale(s, scales, 2 * c + 1);
                    float m2 = dmin * BlockQ4_K.min(s, scales, 2 * c + 1);
                    byte bit1 = (byte) (1 << 2 * c), bit2 = (byte) (2 << 2 * c);
                    long qs = at + BlockQ5_K.QS + 32L * c;
                    for (int l = 0; l < 32; l += 8) {
                        ByteVector q = load8(s, qs + l);
                        ByteVector h = load8(s, at + BlockQ5_K.QH + l);
                        ByteVector q1 = lowNibbles(q).lanewise(VectorOperators.OR, (byte) 16,
                                h.and(bit1).compare(VectorOperators.NE, (byte) 0));
                        ByteVector q2 = highNibbles(q).lanewise(VectorOperators.OR, (byte) 16,
                                h.and(bit2).compare(VectorOperators.NE, (byte) 0));
                        widen(q1).mul(d1).sub(m1).intoArray(y, o + l);
                        widen(q2).mul(d2).sub(m2).intoArray(y, o + 32 + l);
                    }
                }
            }
        }
    }

    /** See {@link BlockIQ4_NL}: the grid lookup is one byte shuffle of 16 lanes. */
    static final class IQ4_NL extends GgmlBlockDecoder {
        private static final VectorSpecies<Byte> B16 = ByteVector.SPECIES_128;
        private static final ByteVector GRID = gridVector();

        IQ4_NL() { super(DType.IQ4_NL); }

        private static ByteVector gridVector() {
            byte[] grid = new byte[16];
            for (int i = 0; i < 16; i++) grid[i] = (byte) BlockIQ4_NL.GRID[i]; // all within -127..113
            return ByteVector.fromArray(B16, grid, 0);
        }

        @Override
        void decodeBlocks(MemorySegment s, int blocks, float[] y, int o) {
            for (int b = 0; b < blocks; b++, o += BlockIQ4_NL.ELEMENTS) {
                long at = (long) b * BlockIQ4_NL.BYTES;
                float d = half(s, at + BlockIQ4_NL.D);
                ByteVector q = ByteVector.fromMemorySegment(B16, s, at + BlockIQ4_NL.QS, LE);
                ByteVector lo = GRID.rearrange(q.and((byte) 0x0F).toShuffle());
                ByteVector hi = GRID.rearrange(q.lanewise(VectorOperators.LSHR, 4).toShuffle());
                ((FloatVector) lo.convertShape(VectorOperators.B2F, F8, 0)).mul(d).intoArray(y, o);
                ((FloatVector) lo.convertShape(VectorOperators.B2F, F8, 1)).mul(d).intoArray(y, o + 8);
                ((FloatVector) hi.convertShape(VectorOperators.B2F, F8, 0)).mul(d).intoArray(y, o + 16);
                ((FloatVector) hi.convertShape(VectorOperators.B2F, F8, 1)).mul(d).intoArray(y, o + 24);
            }
        }
    }

    /** See {@link BlockQ6_K}. */
    static final class Q6_K extends GgmlBlockDecoder {
        Q6_K() { super(DType.Q6_K); }

        @Override
        void decodeBlocks(MemorySegment s, int blocks, float[] y, int o) {
            for (int b = 0; b < blocks; b++) {
                long at = (long) b * BlockQ6_K.BYTES;
                float d = half(s, at + BlockQ6_K.D);
                for (int half = 0; half < 2; half++, o += 128) {
                    long ql = at + BlockQ6_K.QL + 64L * half;
                    long qh = at + BlockQ6_K.QH + 32L * half;
                    long sc = at + BlockQ6_K.SCALES + 8L * half;
                    for (int g = 0; g < 2; g++) {
                        float s1 = d * i8(s, sc + g);
                        float s2 = d * i8(s, sc + g + 2);
                        float s3 = d * i8(s, sc + g + 4);
                        float s4 = d * i8(s, sc + g + 6);
                        for (int l = 16 * g; l < 16 * g + 16; l += 8) {
                            ByteVector lo = load8(s, ql + l);
                            ByteVector hi = load8(s, ql + 32 + l);
                            ByteVector h = load8(s, qh + l);
                            // Top 2 bits of each code moved to bits 4-5 with as few byte-lane shifts as
                            // possible: x86 has no byte shift instruction, so each one is emulated.
                            ByteVector q1 = lowNibbles(lo).or(h.and((byte) 0x03).lanewise(VectorOperators.LSHL, 4));
                            ByteVector q2 = lowNibbles(hi).or(h.and((byte) 0x0C).lanewise(VectorOperators.LSHL, 2));
                            ByteVector q3 = highNibbles(lo).or(h.and((byte) 0x30));
                            ByteVector q4 = highNibbles(hi).or(h.lanewise(VectorOperators.LSHR, 2).and((byte) 0x30));
                            widen(q1.sub((byte) 32)).mul(s1).intoArray(y, o + l);
                            widen(q2.sub((byte) 32)).mul(s2).intoArray(y, o + 32 + l);
                            widen(q3.sub((byte) 32)).mul(s3).intoArray(y, o + 64 + l);
                            widen(q4.sub((byte) 32)).mul(s4).intoArray(y, o + 96 + l);
                        }
                    }
                }
            }
        }
    }
}
