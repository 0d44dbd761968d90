package dev.quantscope.pipeline.plan;

import dev.quantscope.quant.metrics.ErrorMetrics;

import java.util.List;

/**
 * The measured (or, on big models, estimated) error of a whole plan.
 *
 * @param plan    the plan
 * @param tensors per tensor, in the plan's order
 * @param total   all tensors together
 * @param exact   whether every weight was measured (false: evenly spaced rows, extrapolated)
 */
public record PlanError(ModelPlan plan, List<TensorError> tensors, ErrorMetrics total, boolean exact) {

    public PlanError {
        tensors = List.copyOf(tensors);
    }

    /** One tensor's error under its scheme. */
    public record TensorError(TensorPlan plan, ErrorMetrics metrics) {}
}
