package dev.quantscope.app.compress;

import dev.quantscope.pipeline.plan.PlanError;

import java.util.List;

/**
 * The trade-off chart's data: every applicable preset, plus the current choice (which is one of them when a preset
 * is chosen).
 *
 * @param presets the presets' plans with their errors
 * @param current the current choice's plan and error
 * @param note    what the error figures are based on (exact, or sampled rows)
 */
public record TradeoffResult(List<PlanError> presets, PlanError current, String note) {
    public TradeoffResult {
        presets = List.copyOf(presets);
    }
}
