package dev.quantscope.pipeline.plan;

import dev.quantscope.quant.ggml.QuantizedSize;
import dev.quantscope.quant.scheme.Cast;
import dev.quantscope.quant.scheme.GgmlBlock;
import dev.quantscope.quant.scheme.Keep;
import dev.quantscope.quant.scheme.QuantScheme;
import dev.quantscope.recipe.SparsityRule;
import dev.quantscope.tensor.DType;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What one tensor becomes under a plan: its chain of {@link Transform}s in order (at most one prune, then one
 * quantize), and the resulting storage.
 *
 * @param rows       rows of the tensor's 2-D view (all dimensions but the row; 1 for a scalar)
 * @param rowLength  contiguous row length (ggml's ne[0])
 * @param source     the tensor's type in the source file
 * @param transforms prune (optional) then quantize (always; {@link Keep} when the tensor stays as it is)
 * @param decidedBy  what chose the scheme: "rule 2 (blk.*.ffn_down*)", "default", "1-D/norm kept", "preset Q4_K_M";
 *                   and the pruning, when there is one: "…; pruned by rule 1 (blk.*)"
 * @param size       storage under the scheme (GGUF and safetensors have no sparse layout: pruned zeros take their
 *                   full size); when there is a {@code problem}, the source's size, as the tensor would stay as it is
 * @param problem    why the chain cannot be applied to this tensor, if it cannot
 */
public record TensorPlan(String name, long rows, long rowLength, DType source, List<Transform> transforms,
                         String decidedBy, QuantizedSize size, Optional<String> problem) {
    public TensorPlan {
        Objects.requireNonNull(name);
        Objects.requireNonNull(source);
        transforms = List.copyOf(transforms);
        Objects.requireNonNull(decidedBy);
        Objects.requireNonNull(size);
        Objects.requireNonNull(problem);
        if (transforms.isEmpty() || !(transforms.getLast() instanceof Transform.Quantize)) {
            throw new IllegalArgumentException(name + ": a plan's chain ends with its scheme");
        }
    }

    /** A tensor that is only quantized (or kept). */
    public static TensorPlan quantized(String name, long rows, long rowLength, DType source, QuantScheme scheme,
                                       String decidedBy, QuantizedSize size, Optional<String> problem) {
        return new TensorPlan(name, rows, rowLength, source, List.of(new Transform.Quantize(scheme)), decidedBy, size,
                problem);
    }

    public long elements() { return size.elements(); }

    /** The scheme the plan asks for (which a tensor with a {@link #problem} cannot take). */
    public QuantScheme scheme() {
        return ((Transform.Quantize) transforms.getLast()).scheme();
    }

    /** The pruning, if the tensor is pruned (never when there is a problem: nothing is applied then). */
    public Optional<SparsityRule> pruning() {
        return transforms.getFirst() instanceof Transform.Prune p ? Optional.of(p.sparsity()) : Optional.empty();
    }

    /** The fraction of weights the pruning sets to zero (the target; 0 when not pruned). */
    public double targetSparsity() {
        return pruning().map(p -> p.pattern().sparsity()).orElse(0.0);
    }

    /** The scheme the tensor is stored with: {@link #scheme()}, or {@link Keep} when it cannot take it. */
    public QuantScheme storedScheme() {
        return problem.isPresent() ? Keep.INSTANCE : scheme();
    }

    /** Why the stored scheme differs from what was asked (a fallback), or "". */
    public String note() {
        return problem.map(p -> p + ": kept").orElse("");
    }

    /** Whether the stored values differ from the source's (so there is an error to measure). */
    public boolean changesValues() {
        if (pruning().isPresent()) return true;
        return switch (storedScheme()) {
            case Keep _ -> false;
            case Cast c -> c.type() != source;
            default -> true;
        };
    }

    /** The scheme whose round trip gives the stored values: {@link Keep} when the scheme changes nothing. */
    public QuantScheme effectiveScheme() {
        QuantScheme s = storedScheme();
        return s instanceof Cast c && c.type() == source ? Keep.INSTANCE : s;
    }

    /** The ggml type a GGUF file would hold, or empty when the scheme has none (integer grids, NF4, …). */
    public Optional<DType> ggmlType() {
        return switch (storedScheme()) {
            case GgmlBlock g -> Optional.of(g.type());
            case Cast c -> Optional.of(c.type());
            case Keep _ -> source.ggmlId() >= 0 ? Optional.of(source) : Optional.empty();
            default -> Optional.empty();
        };
    }

    /** Short name for legends: "Q4_K", "INT4 asym g128 MSE clip", "keep"; "wanda 2:4 + Q4_K" when pruned. */
    public String schemeLabel() {
        String scheme = storedScheme().shortLabel();
        return pruning().map(p -> p.label() + " + " + scheme).orElse(scheme);
    }
}
