/**
 * Sweeps: many quantization schemes measured on one base model, for the size/speed/accuracy trade-off view.
 *
 * <p>Typical use (a GUI runs this on a background thread and hands each point to its own thread):
 * <pre>{@code
 * SweepRequest request = SweepRequest.of(List.of(SweepScheme.parse("Q6_K"), SweepScheme.parse("Q4_K_M"),
 *         SweepScheme.parse("int4-asym-g128-mse")), text, 512).withChunks(20);
 * SweepResult result = Sweep.run(model, request, SweepCache.atDefaultLocation(), point -> show(point), monitor);
 * List<SweepPoint.Measured> front = result.sizeFront();              // size vs KLD, by increasing size
 * Recommendation fit = result.recommend(DeviceFit.parseBytes("4GB"), OptionalDouble.of(0.05));
 * }</pre>
 * With {@code request.withImatrix(new ImatrixSource.FromFile(path))} (or {@code ImatrixSource.FromText}, computed
 * over the base model) every scheme is followed by its point quantized with the importance matrix, as
 * {@code quantize --imatrix} quantizes: {@code SweepPoint.imatrix()} is true and its id ends in "+imatrix".
 * A {@link dev.quantscope.eval.sweep.SweepPoint} is either {@code Measured} (bytes, bits per weight,
 * {@link dev.quantscope.eval.sweep.Latency}, {@link dev.quantscope.eval.sweep.Accuracy}, whether it came from the
 * cache) or {@code Skipped} with the reason. {@link dev.quantscope.eval.sweep.TradeOffs} and
 * {@link dev.quantscope.eval.sweep.DeviceFit} work on any list of points, e.g. the ones received so far.
 *
 * <p>A {@link dev.quantscope.eval.sweep.SweepScheme.Pruned} scheme prunes the weight matrices first (magnitude, Wanda
 * or SparseGPT to a sparsity or N:M pattern), then keeps them dense or quantizes them with another scheme; Wanda and
 * SparseGPT read {@code SweepRequest.calibration()}, whose digest goes into their points' cache keys
 * ({@link dev.quantscope.eval.sweep.SweepCalibration}). {@code dev.quantscope.eval.prune} builds such sweeps over
 * sparsities and methods and scans per-layer sensitivity.
 */
package dev.quantscope.eval.sweep;
