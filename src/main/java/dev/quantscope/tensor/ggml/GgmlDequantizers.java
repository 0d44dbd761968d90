package dev.quantscope.tensor.ggml;

import dev.quantscope.tensor.DType;
import dev.quantscope.tensor.ElementDecoder;

/**
 * Dequantizers for ggml's block types, bit-exact with ggml's reference {@code dequantize_row_*}: the same float
 * operations in the same order, so every decoded weight has the same bits as ggml's.
 *
 * <p>Each block type has a scalar reference decoder ({@code Block*} classes, one per ggml-common.h block struct,
 * with its byte layout). The types llama-quantize writes (Q4_0, Q4_1, Q5_0, Q8_0, Q2_K..Q6_K, IQ4_NL) also have a
 * Vector API decoder ({@link VectorDecoders}), tested bit for bit against the scalar one, and used when the
 * incubator module is loaded and the CPU has 256-bit vectors; the system property {@code quantscope.vector=false}
 * forces the scalar decoders. Decoders are stateless and allocate nothing per block: share them freely.
 */
public final class GgmlDequantizers {
    private GgmlDequantizers() {}

    private static final boolean VECTOR = vectorAvailable();

    /** The decoder for a ggml block type, or null when it is not supported. */
    public static ElementDecoder find(DType type) {
        if (VECTOR) {
            ElementDecoder v = vector(type);
            if (v != null) return v;
        }
        return scalar(type);
    }

    /** Whether {@link #find} hands out Vector API decoders on this JVM. */
    public static boolean vectorized() {
        return VECTOR;
    }

    /** The scalar (reference) decoder for {@code type}, or null when it is not supported. */
    static GgmlBlockDecoder scalar(DType type) {
        return switch (type) {
            case Q4_0 -> new BlockQ4_0();
            case Q4_1 -> new BlockQ4_1();
            case Q5_0 -> new BlockQ5_0();
            case Q5_1 -> new BlockQ5_1();
            case Q8_0 -> new BlockQ8_0();
            case Q8_K -> new BlockQ8_K();
            case Q2_K -> new BlockQ2_K();
            case Q3_K -> new BlockQ3_K();
            case Q4_K -> new BlockQ4_K();
            case Q5_K -> new BlockQ5_K();
            case Q6_K -> new BlockQ6_K();
            case IQ4_NL -> new BlockIQ4_NL();
            case TQ1_0 -> new BlockTQ1_0();
            case TQ2_0 -> new BlockTQ2_0();
            case MXFP4 -> new BlockMXFP4();
            // Q8_1 only ever holds activations inside ggml; the IQ2/IQ3/IQ1 types need ggml's large lattice
            // tables, and IQ4_XS is not handled yet: all reported as not decodable.
            default -> null;
        };
    }

    /**
     * The Vector API decoder for {@code type}, or null when it has none. Callers must first make sure the
     * incubator module is present: this method links against it.
     */
    static GgmlBlockDecoder vector(DType type) {
        return switch (type) {
            case Q8_0 -> new VectorDecoders.Q8_0();
            case Q4_0 -> new VectorDecoders.Q4_0();
            case Q4_1 -> new VectorDecoders.Q4_1();
            case Q5_0 -> new VectorDecoders.Q5_0();
            case Q2_K -> new VectorDecoders.Q2_K();
            case Q3_K -> new VectorDecoders.Q3_K();
            case Q4_K -> new VectorDecoders.Q4_K();
            case Q5_K -> new VectorDecoders.Q5_K();
            case Q6_K -> new VectorDecoders.Q6_K();
            case IQ4_NL -> new VectorDecoders.IQ4_NL();
            default -> null;
        };
    }

    /** True when jdk.incubator.vector is loaded (it must be added with --add-modules) and worth using. */
    static boolean vectorModulePresent() {
        return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    }

    private static boolean vectorAvailable() {
        if (!Boolean.parseBoolean(System.getProperty("quantscope.vector", "true"))) return false;
        return vectorModulePresent() && VectorDecoders.worthwhile();
    }
}
