package dev.quantscope.quant.scheme;

import dev.quantscope.quant.ggml.QuantizedSize;
import dev.quantscope.tensor.DType;

import java.util.Objects;

/**
 * OCP FP8 with an F32 scale per tensor or per output channel: scale = absmax / largest finite value (448 for
 * E4M3, 57344 for E5M2), each weight divided by the scale and rounded to the nearest FP8 value (ties to even,
 * saturating). 8 bits per weight plus 32 bits per scale.
 */
public record Fp8(Format format, Granularity granularity) implements FloatScheme {

    public enum Format {
        E4M3("e4m3", MiniFloatGrid.E4M3), E5M2("e5m2", MiniFloatGrid.E5M2);

        private final String id;
        final MiniFloatGrid grid;

        Format(String id, MiniFloatGrid grid) {
            this.id = id;
            this.grid = grid;
        }

        public String id() { return id; }

        /** The largest finite value, which the absmax maps to. */
        public float max() { return grid.max(); }
    }

    public Fp8 {
        Objects.requireNonNull(format);
        Objects.requireNonNull(granularity);
        if (granularity instanceof Granularity.Group) {
            throw new IllegalArgumentException("FP8 scales are per tensor or per channel, not " + granularity.id());
        }
    }

    @Override
    public String id() { return "fp8-" + format.id() + "-" + granularity.id(); }

    @Override
    public String label() { return "FP8 " + format.name() + " " + granularity.label(); }

    @Override
    public QuantizedSize size(DType source, long rows, long rowLength) {
        long n = Math.multiplyExact(rows, rowLength);
        return new QuantizedSize(n, Math.addExact(n, Math.multiplyExact(granularity.units(rows, rowLength), 4L)));
    }

    @Override
    public QuantizedTensor quantize(float[] values, int rows, int rowLength) {
        return Fp8Codec.quantize(this, values, rows, rowLength);
    }
}
