package dev.quantscope.app.generate;

import dev.quantscope.pipeline.plan.Plans;
import dev.quantscope.pipeline.export.InMemoryQuantizer;
import dev.quantscope.eval.sweep.SweepScheme;
import dev.quantscope.format.Model;
import dev.quantscope.quant.preset.Preset;
import dev.quantscope.pipeline.plan.ModelPlan;
import dev.quantscope.pipeline.plan.TensorPlan;
import dev.quantscope.task.ProgressMonitor;

import java.util.List;
import java.util.Objects;

/**
 * Which compressed variant runs next to the original: a llama-quantize preset or a scheme id
 * ({@code int4-asym-g128-mse}, {@code ggml:Q4_0}), the same choices a sweep takes, quantized in memory.
 */
public record VariantChoice(SweepScheme scheme) {
    public VariantChoice {
        Objects.requireNonNull(scheme);
    }

    /** A preset name or a scheme id, as the user types it. */
    public static VariantChoice parse(String text) {
        return new VariantChoice(SweepScheme.parse(text));
    }

    public static VariantChoice of(Preset preset) { return new VariantChoice(SweepScheme.of(preset)); }

    /** What the page and its pane title call the variant: the preset name or scheme id. */
    public String label() { return scheme.id(); }

    /**
     * Quantizes {@code base} in memory. The result's kept tensors are views of {@code base}, which must stay open
     * while it is used.
     * @throws IllegalArgumentException naming the first tensor the scheme cannot store, or why the preset does not apply
     */
    public Model quantize(Model base, ProgressMonitor monitor) {
        ModelPlan plan = Plans.resolve(scheme.recipe(), base);
        List<TensorPlan> problems = plan.problems();
        if (!problems.isEmpty()) {
            TensorPlan first = problems.getFirst();
            throw new IllegalArgumentException(label() + " cannot be applied: " + first.name() + ": "
                    + first.problem().orElseThrow()
                    + (problems.size() > 1 ? " (and " + (problems.size() - 1) + " more tensors)" : ""));
        }
        return InMemoryQuantizer.quantize(base, plan, monitor);
    }
}
