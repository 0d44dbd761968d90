package dev.quantscope.quant.job;

import dev.quantscope.quant.ggml.GgmlQuantizer;
import dev.quantscope.quant.scheme.Binary;
import dev.quantscope.quant.scheme.Cast;
import dev.quantscope.quant.scheme.Fp4;
import dev.quantscope.quant.scheme.Fp8;
import dev.quantscope.quant.scheme.GgmlBlock;
import dev.quantscope.quant.scheme.Granularity;
import dev.quantscope.quant.scheme.IntegerScheme;
import dev.quantscope.quant.scheme.Keep;
import dev.quantscope.quant.scheme.Mxfp4;
import dev.quantscope.quant.scheme.Nf4;
import dev.quantscope.quant.scheme.QuantScheme;
import dev.quantscope.quant.scheme.QuantizedTensor;
import dev.quantscope.quant.scheme.Ternary;
import dev.quantscope.tensor.DType;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/** What {@link QuantizePipeline#convert} does with one tensor's values. */
public sealed interface Conversion {

    /** The bytes stay as they are (the task's output is the source's own bytes); measured as exact when decodable. */
    record Copy() implements Conversion {}

    /**
     * Encoded as {@code type} the way llama-quantize writes it: ggml's quantizer for a block type, ggml's rounding
     * for F32/F16/BF16. The output holds exactly {@code type.byteSize(elements)} bytes.
     *
     * @param importance null, or the importance matrix's column weights for the tensor ({@code quant_weights}):
     *                   per matrix (ne[2], 1 for a dense weight) one value per column of the tensor's rows,
     *                   concatenated. Only types whose ggml quantizer uses weights
     *                   ({@link GgmlQuantizer#usesImportance}) take it into account; the tensor is then quantized in
     *                   whole rows, each with its matrix's weights.
     */
    record Encode(DType type, float[] importance) implements Conversion {
        public Encode {
            Objects.requireNonNull(type);
            if (!ElementEncoder.supports(type)) throw new IllegalArgumentException("QuantScope cannot write " + type);
            if (importance != null && importance.length == 0) throw new IllegalArgumentException("empty importance");
        }

        /** Unweighted, as llama-quantize without {@code --imatrix}. */
        public Encode(DType type) {
            this(type, null);
        }

        /** Whether the encoding is weighted: an importance vector is given and the type's quantizer uses it. */
        public boolean weighted() {
            return importance != null && GgmlQuantizer.usesImportance(type);
        }
    }

    /**
     * Any {@link QuantScheme}: whole rows are quantized and dequantized again, and {@code store} puts into the
     * output whatever the file is to keep (dequantized floats, packed codes…). The error is measured on the values
     * {@code store} leaves in its {@code values} array, i.e. on what the file holds.
     *
     * @param rowLength contiguous row length of the tensor (groups and blocks run along it)
     */
    record RoundTrip(QuantScheme scheme, long rowLength, Store store) implements Conversion {
        public RoundTrip {
            Objects.requireNonNull(scheme);
            Objects.requireNonNull(store);
            if (rowLength <= 0 || rowLength > Integer.MAX_VALUE) throw new IllegalArgumentException("row length " + rowLength);
        }
    }

    /** Writes one chunk of whole rows of a {@link RoundTrip}. Called from worker threads, for disjoint rows. */
    @FunctionalInterface
    interface Store {
        /**
         * @param firstRow the chunk's first row in the tensor
         * @param q        the chunk quantized (its own rows × rowLength)
         * @param values   the chunk dequantized; replace them by the values the output really holds when storing
         *                 rounds them further (e.g. to F16)
         */
        void store(long firstRow, QuantizedTensor q, float[] values, MemorySegment output);
    }

    /**
     * Whether quantizing a tensor a chunk of rows at a time gives exactly what quantizing it whole gives: true
     * unless the scheme derives something from the whole tensor (a per-tensor scale, NF4's double-quantization
     * offset). Such tensors are quantized as one unit.
     */
    static boolean rowsIndependent(QuantScheme scheme) {
        return switch (scheme) {
            case GgmlBlock g -> true;
            case IntegerScheme s -> !(s.granularity() instanceof Granularity.PerTensor);
            case Ternary t -> !(t.granularity() instanceof Granularity.PerTensor);
            case Binary b -> !(b.granularity() instanceof Granularity.PerTensor);
            case Fp8 f -> !(f.granularity() instanceof Granularity.PerTensor);
            case Nf4 n -> !n.doubleQuant();
            case Fp4 f -> true;
            case Mxfp4 m -> true;
            case Cast c -> true;
            case Keep k -> true;
        };
    }
}
