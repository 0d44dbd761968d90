package dev.quantscope.quant.scheme;

import dev.quantscope.tensor.MiniFloats;

/** Reference quantizer for the FP4 E2M1 schemes: {@link Fp4} (FP16 block scale) and {@link Mxfp4} (E8M0). */
final class Fp4Codec {
    private Fp4Codec() {}

    /** E2M1's largest exponent (6 = 1.5 × 2^2): the MX spec subtracts it from the block's exponent. */
    private static final int E2M1_EMAX = 2;

    static QuantizedTensor quantize(FloatScheme scheme, Granularity g, float[] x, int rows, int rowLength) {
        Codecs.checkShape(x, rows, rowLength);
        boolean mx = scheme instanceof Mxfp4;
        Segments seg = Segments.of(g, rows, rowLength);
        int[] codes = new int[x.length];
        float[] scales = mx ? QuantizedTensor.NO_FLOATS : new float[seg.count()];
        byte[] exponents = mx ? new byte[seg.count()] : QuantizedTensor.NO_BYTES;
        for (int k = 0; k < seg.count(); k++) {
            int from = seg.start(k);
            int to = seg.end(k);
            float amax = Codecs.absMax(x, from, to);
            float scale;
            if (mx) {
                int e8m0 = sharedExponentCode(amax);
                exponents[k] = (byte) e8m0;
                scale = MiniFloats.E8M0[e8m0];
            } else {
                scale = HalfScales.up(amax / MiniFloatGrid.E2M1.max());
                scales[k] = scale;
            }
            for (int i = from; i < to; i++) codes[i] = MiniFloatGrid.E2M1.encode(amax == 0 ? 0f : x[i] / scale);
        }
        SideFormat side = mx ? SideFormat.F32 : SideFormat.F16; // MXFP4 has no float side data
        return new QuantizedTensor(scheme, rows, rowLength, BitPacking.pack(codes, 4), scales,
                QuantizedTensor.NO_FLOATS, exponents, side);
    }

    /**
     * The E8M0 code of 2^(floor(log2 amax) − 2), clamped to E8M0's range 2^-127..2^127; 2^-127 for an all-zero
     * block.
     */
    static int sharedExponentCode(float amax) {
        if (amax == 0) return 0;
        int e = Math.getExponent(amax);
        if (e == Float.MIN_EXPONENT - 1) e = Math.getExponent(amax * 0x1p64f) - 64; // subnormal: exact floor(log2)
        return Math.max(0, Math.min(254, e - E2M1_EMAX + 127));
    }

    static float[] dequantize(QuantizedTensor q) {
        boolean mx = q.scheme() instanceof Mxfp4;
        Granularity g = switch ((FloatScheme) q.scheme()) {
            case Mxfp4 m -> Mxfp4.GRANULARITY;
            case Fp4 f -> f.granularity();
            case Fp8 f -> throw new IllegalArgumentException("not FP4: " + f.id());
            case Nf4 f -> throw new IllegalArgumentException("not FP4: " + f.id());
        };
        int[] codes = BitPacking.unpack(q.codes(), 4, q.elements());
        Segments seg = Segments.of(g, q.rows(), q.rowLength());
        float[] out = new float[codes.length];
        for (int k = 0; k < seg.count(); k++) {
            float scale = mx ? MiniFloats.E8M0[q.scaleCodes()[k] & 0xFF] : q.scales()[k];
            for (int i = seg.start(k); i < seg.end(k); i++) out[i] = MiniFloats.E2M1[codes[i]] * scale;
        }
        return out;
    }
}
