package dev.quantscope.eval.sweep;

import dev.quantscope.pipeline.export.InMemoryQuantizer;
import dev.quantscope.pipeline.plan.Plans;
import dev.quantscope.eval.KlDivergenceResult;
import dev.quantscope.format.Model;
import dev.quantscope.quant.imatrix.ImatrixFile;
import dev.quantscope.quant.preset.PresetNotApplicableException;
import dev.quantscope.recipe.FileDigest;
import dev.quantscope.pipeline.plan.ModelPlan;
import dev.quantscope.pipeline.plan.TensorPlan;
import dev.quantscope.task.ProgressMonitor;
import dev.quantscope.task.ProgressSlice;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Measures a list of schemes on one base model: for each, the model is quantized in memory
 * ({@link InMemoryQuantizer}), its speed is probed ({@link LatencyProbe}) and its outputs are compared with the
 * base's over a text ({@link KlDivergence}: KL divergence, top-1 agreement, perplexity). Points go to the listener
 * as they finish, in request order; points already measured come from the {@link SweepCache} without running
 * anything. The base's log-probabilities over the text are computed once, on the first point that needs them, and
 * shared by all points ({@link BaseSide}).
 *
 * <p>With an importance matrix ({@link SweepRequest#imatrix()}) each scheme is followed by a second point, the
 * scheme quantized with it as {@code quantize --imatrix} quantizes ({@link SweepPoint#imatrix()}, id and label
 * ending in {@value SweepPoint#IMATRIX_SUFFIX}); its cache key carries the matrix's identity. A matrix computed from
 * a text is computed once, on the first such point that must be measured.
 */
public final class Sweep {
    private Sweep() {}


    /** Progress units per point, split between quantizing, the latency run and the comparison. */
    static final long UNIT = 1000;
    private static final long QUANTIZE = 150, LATENCY = 100;
    /** A pruned point's share for pruning and quantizing: SparseGPT's and Wanda's calibration passes take most of it. */
    private static final long PRUNE = 600;

    /**
     * Timed latency runs at least, before and again after the accuracy pass (a small model gets more, up to the
     * probe's time limit): they give each point's speed a spread, which {@link SpeedNoise} weighs against the
     * differences between points.
     */
    static final int LATENCY_RUNS = 2;

    /**
     * @param base an open Llama-family GGUF model (the sweep reads its file once to digest it)
     * @throws java.util.concurrent.CancellationException when cancelled; points delivered so far stay delivered
     * @throws IllegalArgumentException when the text is too short for two windows of {@code ctx}
     */
    public static SweepResult run(Model base, SweepRequest request, SweepCache cache, SweepListener listener,
                                  ProgressMonitor caller) throws IOException {
        ProgressMonitor monitor = new ForwardProgress(caller);
        // A model opened from a folder (Hugging Face) has no one file to digest: its points are not cached.
        String modelSha = Files.isRegularFile(base.source()) ? modelDigest(base.source()) : null;
        String textSha = SweepCache.sha256(request.text());
        int ctx = request.ctx();
        String calibration = SweepCalibration.identity(request.calibration());

        // Each scheme, then (with an importance matrix) the same scheme quantized with it.
        SweepImatrix imatrix = SweepImatrix.of(request.imatrix());
        List<Variant> variants = new ArrayList<>();
        for (SweepScheme scheme : request.schemes()) {
            variants.add(new Variant(scheme, false));
            if (imatrix != null) variants.add(new Variant(scheme, true));
        }
        // One unit per point, one for the base's pass over the text, and one for computing the importance matrix
        // from a text. The last two happen inside the first point that needs them (never, when every point is
        // cached): the points after move up by their units.
        long total = (variants.size() + 1 + (imatrix != null && imatrix.needsComputing() ? 1 : 0)) * UNIT;
        long shift = 0;
        List<SweepPoint> points = new ArrayList<>(variants.size());
        int computed = 0, hits = 0;
        try (BaseSide baseSide = BaseSide.over(base, request.text(), ctx, request.chunks(), request.threads())) {
            for (int i = 0; i < variants.size(); i++) {
                monitor.checkCancelled();
                Variant v = variants.get(i);
                SweepCache.Key key = modelSha == null ? null : new SweepCache.Key(modelSha, v.id(),
                        v.weighted() ? imatrix.identity() : "", textSha, ctx, request.chunks(), request.promptTokens(),
                        request.generatedTokens(), request.threads());
                // A Wanda or SparseGPT point is only the same point when pruned from the same calibration.
                if (key != null && v.scheme() instanceof SweepScheme.Pruned p && p.calibrated()) {
                    key = key.withCalibration(calibration);
                }
                Optional<SweepPoint.Measured> cached = key == null ? Optional.empty() : cache.get(key, i);
                SweepPoint point;
                if (cached.isPresent()) {
                    point = cached.get();
                    hits++;
                } else {
                    ModelPlan plan;
                    String problem;
                    try {
                        // With an importance matrix a preset chooses as llama-quantize does given --imatrix.
                        plan = Plans.resolve(v.scheme().recipe(), base, v.weighted());
                        problem = plan.problems().isEmpty() ? null : describe(plan.problems());
                    } catch (PresetNotApplicableException e) {
                        plan = null;
                        problem = e.getMessage();
                    }
                    if (problem == null && v.scheme() instanceof SweepScheme.Pruned p) {
                        problem = SweepCalibration.missing(p, request.calibration()).orElse(null);
                    }
                    ImatrixFile weights = null;
                    if (problem == null && v.weighted()) {
                        // Asked before the matrix is computed: a scheme it cannot change costs no computation.
                        if (!InMemoryQuantizer.takesImportance(base, plan)) {
                            problem = "no tensor of " + v.scheme().label() + " is quantized to a type whose ggml "
                                    + "quantizer takes an importance matrix";
                        } else if (imatrix.needsComputing()) {
                            weights = imatrix.file(base, request.threads(),
                                    new ProgressSlice(monitor, i * UNIT + shift, UNIT, total));
                            shift += UNIT;
                        } else {
                            weights = imatrix.file(base, request.threads(), monitor);
                        }
                        if (weights != null && InMemoryQuantizer.weightedTensors(base, plan, weights) == 0) {
                            problem = "the importance matrix has no entry for any tensor " + v.scheme().label()
                                    + " quantizes with weights (a matrix for another model?)";
                        }
                    }
                    if (problem != null) {
                        point = new SweepPoint.Skipped(i, v.id(), v.label(), v.weighted(), problem);
                    } else {
                        if (!baseSide.ready()) {
                            baseSide.prepare(new ProgressSlice(monitor, i * UNIT + shift, UNIT, total));
                            shift += UNIT;
                        }
                        point = measure(base, baseSide, plan, weights, v, i, request, monitor, i * UNIT + shift, total);
                        computed++;
                        if (key != null) cache.put(key, (SweepPoint.Measured) point);
                    }
                }
                monitor.progress((i + 1) * UNIT + shift, total);
                points.add(point);
                listener.pointReady(point);
            }
        }
        monitor.progress(total, total);
        return new SweepResult(points, modelSha == null ? "" : modelSha, textSha, imatrix == null ? "" : imatrix.identity(),
                base.parameterCount(), base.tensorBytes(), computed, hits);
    }

    /** One point to measure: a scheme, quantized with the sweep's importance matrix or without. */
    private record Variant(SweepScheme scheme, boolean weighted) {
        String id() { return weighted ? scheme.id() + SweepPoint.IMATRIX_SUFFIX : scheme.id(); }

        String label() { return weighted ? scheme.label() + SweepPoint.IMATRIX_SUFFIX : scheme.label(); }
    }

    private static SweepPoint.Measured measure(Model base, BaseSide baseSide, ModelPlan plan, ImatrixFile imatrix,
                                               Variant v, int index, SweepRequest request, ProgressMonitor monitor,
                                               long start, long total) throws IOException {
        long t0 = System.nanoTime();
        long quantize = plan.prunes() ? PRUNE : QUANTIZE;
        try (Model quantized = InMemoryQuantizer.quantize(base, plan, imatrix, request.calibration(), request.threads(),
                new ProgressSlice(monitor, start, quantize, total))) {
            monitor.checkCancelled();
            // Speed timed before and after the accuracy pass: its spread then covers seconds, not one burst.
            LatencyProbe.Around<KlDivergenceResult> timed = LatencyProbe.measureAround(quantized,
                    request.promptTokens(), request.generatedTokens(), request.threads(), LATENCY_RUNS, () -> {
                        monitor.progress(start + quantize + LATENCY / 2, total);
                        return baseSide.compare(quantized, new ProgressSlice(monitor, start + quantize + LATENCY / 2,
                                UNIT - quantize - LATENCY, total));
                    });
            Latency latency = timed.latency();
            KlDivergenceResult r = timed.between();
            return new SweepPoint.Measured(index, v.id(), v.label(), v.weighted(), plan.bytes(), plan.bitsPerWeight(),
                    latency, Accuracy.of(r), false, (System.nanoTime() - t0) / 1e9);
        }
    }

    /** A file's digest, kept for as long as its size and modification time stay: a GUI sweeps one model often. */
    private record FileStamp(Path file, long size, FileTime modified) {}

    private static final Map<FileStamp, String> DIGESTS = new ConcurrentHashMap<>();

    static String modelDigest(Path file) throws IOException {
        Path real = file.toRealPath();
        FileStamp stamp = new FileStamp(real, Files.size(real), Files.getLastModifiedTime(real));
        String known = DIGESTS.get(stamp);
        if (known != null) return known;
        String digest = FileDigest.sha256(real);
        DIGESTS.put(stamp, digest);
        return digest;
    }

    private static String describe(List<TensorPlan> problems) {
        TensorPlan first = problems.getFirst();
        String more = problems.size() > 1 ? " (and " + (problems.size() - 1) + " more tensors)" : "";
        return first.name() + ": " + first.problem().orElseThrow() + more;
    }
}
