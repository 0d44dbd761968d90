/**
 * What sparsity costs: sparsity sweeps (sparsities × pruning methods, optionally quantized after, as points of one
 * {@link dev.quantscope.eval.sweep.Sweep}), their curves per method, and per-layer sensitivity (one tensor or block
 * pruned at a time, its KL divergence against the dense model).
 *
 * <pre>{@code
 * List<SweepScheme> schemes = SparsitySweep.schemes(List.of(), List.of(SparsityPattern.parse("50%"),
 *         SparsityPattern.parse("2:4")), List.of(PruneMethod.MAGNITUDE, PruneMethod.WANDA));
 * CalibrationSplit split = CalibrationSplit.halves(text);   // calibrate on one part, measure on the other
 * SweepRequest request = SweepRequest.of(schemes, split.measured(), 128).withCalibration(split.calibration());
 * SweepResult r = Sweep.run(model, request, cache, listener, monitor);
 * List<SparsityCurve> curves = SparsityCurve.of(schemes, r.points());
 * SensitivityResult s = LayerSensitivity.run(model, new SensitivityRequest(rule, SensitivityUnit.BLOCK, ...), l, m);
 * }</pre>
 */
package dev.quantscope.eval.prune;
