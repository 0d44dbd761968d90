package dev.quantscope.quant.preview;

import dev.quantscope.quant.ggml.QuantizedSize;
import dev.quantscope.quant.scheme.Cast;
import dev.quantscope.quant.scheme.GgmlBlock;
import dev.quantscope.quant.scheme.Keep;
import dev.quantscope.quant.scheme.QuantScheme;
import dev.quantscope.tensor.DType;

import java.util.Optional;

/**
 * One tensor of a compression plan as the preview sees it: the scheme it is actually stored with (a tensor the
 * recipe's scheme cannot take is kept, and {@code note} says why).
 *
 * @param name      tensor name
 * @param rows      rows (all dimensions but the row)
 * @param rowLength elements per row (ggml's ne[0])
 * @param source    its type in the source file
 * @param scheme    what it becomes
 * @param decidedBy which rule, default or preset chose the scheme (the recipe engine's words)
 * @param size      exact storage under the scheme
 * @param note      why the scheme differs from what was asked (a fallback), or empty
 */
public record TensorPlan(String name, long rows, long rowLength, DType source, QuantScheme scheme, String decidedBy,
                         QuantizedSize size, String note) {

    public long elements() { return size.elements(); }

    /** Whether the stored values differ from the source's (so there is an error to measure). */
    public boolean changesValues() {
        return switch (scheme) {
            case Keep _ -> false;
            case Cast c -> c.type() != source;
            default -> true;
        };
    }

    /** The scheme whose round trip gives the stored values: {@link Keep} when nothing changes. */
    public QuantScheme effectiveScheme() { return changesValues() ? scheme : Keep.INSTANCE; }

    /** The ggml type a GGUF file would hold, or empty when the scheme has none (integer grids, NF4, …). */
    public Optional<DType> ggmlType() {
        return switch (scheme) {
            case GgmlBlock g -> Optional.of(g.type());
            case Cast c -> Optional.of(c.type());
            case Keep _ -> source.ggmlId() >= 0 ? Optional.of(source) : Optional.empty();
            default -> Optional.empty();
        };
    }

    /** Short name for legends: "Q4_K", "INT4 asym g128 MSE clip", "keep". */
    public String schemeLabel() {
        return switch (scheme) {
            case GgmlBlock g -> g.type().name();
            case Keep _ -> "keep";
            default -> scheme.label();
        };
    }
}
