package dev.quantscope.pipeline.export;

import dev.quantscope.tensor.DType;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * {@code general.file_type} of a custom mix, in llama.cpp's {@code llama_ftype} numbering. llama.cpp reads the
 * key to name a model's type; when it is missing, its model loader guesses it from the type held by the most
 * tensors (ties going to the type that reached the count first, in file order) and maps that type to its
 * "mostly" file type, a K-quant to its _M variant. A custom mix gets exactly that guess written down, so llama.cpp
 * shows the same name with or without the key:
 * <pre>
 *  F32 0 (ALL_F32)   F16 1   BF16 32   Q4_0 2   Q4_1 3   Q8_0 7   Q5_0 8   Q5_1 9
 *  Q2_K 10   Q3_K 12 (Q3_K_M)   Q4_K 15 (Q4_K_M)   Q5_K 17 (Q5_K_M)   Q6_K 18
 *  IQ4_NL 25   TQ1_0 36   TQ2_0 37
 * </pre>
 * A preset keeps its own number (Q4_K_S is 14), which only the preset knows.
 */
public final class LlamaFileType {
    private LlamaFileType() {}

    /** The "mostly" llama_ftype of {@code type}, or empty when llama.cpp has none for it. */
    public static OptionalLong mostly(DType type) {
        long n = switch (type) {
            case F32 -> 0;
            case F16 -> 1;
            case BF16 -> 32;
            case Q4_0 -> 2;
            case Q4_1 -> 3;
            case Q8_0 -> 7;
            case Q5_0 -> 8;
            case Q5_1 -> 9;
            case Q2_K -> 10;
            case Q3_K -> 12;
            case Q4_K -> 15;
            case Q5_K -> 17;
            case Q6_K -> 18;
            case IQ4_NL -> 25;
            case TQ1_0 -> 36;
            case TQ2_0 -> 37;
            default -> -1;
        };
        return n < 0 ? OptionalLong.empty() : OptionalLong.of(n);
    }

    /**
     * The type held by the most tensors of {@code types} (given in file order), as llama.cpp's loader picks it.
     * @throws IllegalArgumentException for an empty list
     */
    public static DType dominant(List<DType> types) {
        if (types.isEmpty()) throw new IllegalArgumentException("no tensors");
        Map<DType, Integer> counts = new EnumMap<>(DType.class);
        DType best = null;
        int bestCount = 0;
        for (DType t : types) {
            int c = counts.merge(t, 1, Integer::sum);
            if (c > bestCount) { // strict: on a tie the type that got there first stays
                bestCount = c;
                best = t;
            }
        }
        return best;
    }

    /**
     * general.file_type for a file whose tensors have {@code types} (file order).
     * @throws IllegalArgumentException when the dominant type has no llama_ftype
     */
    public static long of(List<DType> types) {
        DType d = dominant(types);
        return mostly(d).orElseThrow(() -> new IllegalArgumentException(
                "llama.cpp has no file type for a model made mostly of " + d));
    }
}
