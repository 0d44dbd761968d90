package dev.quantscope.pipeline.plan;

import dev.quantscope.quant.metrics.ErrorMetrics;
import dev.quantscope.quant.preview.ErrorEstimator;
import dev.quantscope.task.ProgressMonitor;
import dev.quantscope.task.ProgressSlice;

import java.util.ArrayList;
import java.util.List;

/**
 * Whole plans' quantization errors, summed from an {@link ErrorEstimator}'s per-tensor measurements (which it remembers). */
public final class PlanErrors {
    private PlanErrors() {}

    /** Every tensor's error under {@code plan}; cancellable between tensors. */
    public static PlanError evaluate(ErrorEstimator estimator, ModelPlan plan, ProgressMonitor monitor) {
        List<PlanError.TensorError> out = new ArrayList<>(plan.tensors().size());
        ErrorMetrics total = ErrorMetrics.NONE;
        int done = 0;
        for (TensorPlan p : plan.tensors()) {
            monitor.checkCancelled();
            ErrorMetrics s = estimator.measure(p.name(), p.rowLength(), p.effectiveScheme());
            out.add(new PlanError.TensorError(p, s));
            total = total.plus(s);
            monitor.progress(++done, plan.tensors().size());
        }
        return new PlanError(plan, out, total, estimator.exact());
    }

    /** Several plans, sharing the work; progress runs over all of them, one tensor one unit. */
    public static List<PlanError> evaluateAll(ErrorEstimator estimator, List<ModelPlan> plans,
                                              ProgressMonitor monitor) {
        long total = plans.stream().mapToLong(p -> p.tensors().size()).sum();
        long offset = 0;
        List<PlanError> out = new ArrayList<>(plans.size());
        for (ModelPlan plan : plans) {
            out.add(evaluate(estimator, plan, new ProgressSlice(monitor, offset, plan.tensors().size(), total)));
            offset += plan.tensors().size();
        }
        return out;
    }
}
