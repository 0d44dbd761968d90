package dev.quantscope.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quantscope.eval.prune.CalibrationSplit;
import dev.quantscope.eval.prune.LayerSensitivity;
import dev.quantscope.eval.prune.SensitivityRequest;
import dev.quantscope.eval.prune.SensitivityResult;
import dev.quantscope.eval.prune.SensitivityUnit;
import dev.quantscope.eval.prune.SparsitySweep;
import dev.quantscope.eval.sweep.DeviceFit;
import dev.quantscope.eval.sweep.ImatrixSource;
import dev.quantscope.eval.sweep.Recommendation;
import dev.quantscope.eval.sweep.Sweep;
import dev.quantscope.eval.sweep.SweepCache;
import dev.quantscope.eval.sweep.SweepListener;
import dev.quantscope.eval.sweep.SweepPoint;
import dev.quantscope.eval.sweep.SweepRequest;
import dev.quantscope.eval.sweep.SweepResult;
import dev.quantscope.eval.sweep.SweepScheme;
import dev.quantscope.eval.sweep.SpeedNoise;
import dev.quantscope.eval.sweep.SweepText;
import dev.quantscope.format.Model;
import dev.quantscope.format.ModelOpener;
import dev.quantscope.pipeline.prune.PruneCalibration;
import dev.quantscope.prune.PruneMethod;
import dev.quantscope.prune.SparsityPattern;
import dev.quantscope.recipe.SparsityRule;
import dev.quantscope.task.ProgressMonitor;
import dev.quantscope.tensor.Units;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;
import java.util.concurrent.Callable;

/**
 * {@code quantscope sweep MODEL --types LIST [--sparsities LIST --methods LIST] [--text FILE] [--calibration-text FILE]
 * [--imatrix FILE | --imatrix-text FILE] [--ctx N] [--chunks N] [--budget SIZE] [--max-kld X] [--json]}: quantizes
 * and/or prunes MODEL in memory with each preset or scheme of LIST, each sparsity × method, and each sparsity ×
 * method followed by each type, and measures size, speed and KL divergence against MODEL; prints the table as
 * points finish, then the Pareto fronts and, with --budget, the scheme to use. With an importance matrix every
 * scheme is measured a second time quantized with it ("Q4_K_M+imatrix"), as {@code quantize --imatrix} quantizes.
 * With {@code --sensitivity S} it prunes one tensor (or block, {@code --by block}) at a time to S with the one
 * method given and prints each one's KL divergence instead.
 *
 * <p>Wanda and SparseGPT prune from a calibration text: {@code --calibration-text}, or else the second half of the
 * measured text, which is then measured on its first half only (a pruned model is never graded on its calibration).
 */
@Command(name = "sweep", mixinStandardHelpOptions = true,
        description = "Quantize a model in memory with several presets/schemes; measure size, speed and KL divergence.")
public final class SweepCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "MODEL", description = "Llama-family GGUF model (the base, e.g. F32 or F16).")
    Path model;

    @Mixin
    CompressionGridOptions grid;

    @Option(names = "--calibration-text", paramLabel = "FILE", description = "UTF-8 text Wanda and SparseGPT prune "
            + "from (default: the second half of the measured text, which is then measured on its first half).")
    Path calibrationText;

    @Mixin
    CalibrationTokensOption calibrationTokens;

    @Option(names = "--sensitivity", paramLabel = "S", description = "Per-layer sensitivity instead of a sweep: prune "
            + "one tensor (or block) at a time to S (0.5, 2:4) with the one --methods and print its KL divergence.")
    String sensitivity;

    @Option(names = "--by", paramLabel = "UNIT", defaultValue = "tensor",
            description = "With --sensitivity: prune one tensor or one block at a time (default: ${DEFAULT-VALUE}).")
    String by;

    @Option(names = "--text", paramLabel = "FILE",
            description = "UTF-8 text to compare on (default: the bundled 40 KB of Shakespeare).")
    Path text;

    @Option(names = "--imatrix", paramLabel = "FILE", description = "Importance matrix (llama-imatrix GGUF or legacy "
            + ".dat): measure every type also quantized with it (TYPE+imatrix).")
    Path imatrix;

    @Option(names = "--imatrix-text", paramLabel = "FILE", description = "Compute the importance matrix from this "
            + "calibration text (chunks of --ctx tokens) instead of reading one.")
    Path imatrixText;

    @Mixin
    ContextOption context;

    @Mixin
    ChunksOption chunks;

    @Option(names = "--budget", paramLabel = "SIZE", description = "Memory for the weights (100MB, 1.5GiB): recommend a scheme.")
    String budget;

    @Option(names = "--max-kld", paramLabel = "X", description = "With --budget: largest acceptable mean KL divergence.")
    Double maxKld;

    @Option(names = "--pp", paramLabel = "N", defaultValue = "64", description = "Prompt tokens of the speed run (default: ${DEFAULT-VALUE}).")
    int pp;

    @Option(names = "--tg", paramLabel = "N", defaultValue = "16", description = "Generated tokens of the speed run (default: ${DEFAULT-VALUE}).")
    int tg;

    @Mixin
    ThreadsOption threads;

    @Option(names = "--no-cache", description = "Measure every point again (and store nothing).")
    boolean noCache;

    @Mixin
    JsonOption json;

    @Spec
    CommandSpec spec;

    /** Width of the table's first column: the longest label. */
    private int width;

    @Override
    public Integer call() throws Exception {
        List<PruneMethod> pruneMethods = grid.methods();
        if (sensitivity != null) return sensitivity(pruneMethods);
        List<SweepScheme> quantizations = grid.types().stream().map(SweepScheme::parse).toList();
        List<SparsityPattern> patterns = grid.patterns();
        List<SweepScheme> schemes = SparsitySweep.schemes(quantizations, patterns, pruneMethods);
        if (schemes.isEmpty()) throw new IllegalArgumentException("give --types or --sparsities: nothing to sweep");
        long budgetBytes = budget == null ? -1 : DeviceFit.parseBytes(budget);
        if (maxKld != null && budget == null) throw new IllegalArgumentException("--max-kld needs --budget");
        int n = threads.count();
        if (imatrix != null && imatrixText != null) {
            throw new IllegalArgumentException("give at most one of --imatrix FILE and --imatrix-text FILE");
        }
        ImatrixSource source = ImatrixSource.NONE;
        if (imatrix != null) {
            QuantizeCommand.readImatrix(imatrix); // a bad file: one line naming it, before anything runs
            source = new ImatrixSource.FromFile(imatrix);
        } else if (imatrixText != null) {
            source = new ImatrixSource.FromText(Files.readString(imatrixText, StandardCharsets.UTF_8),
                    imatrixText.getFileName().toString(), context.ctx, 0);
        }
        boolean calibrated = schemes.stream().anyMatch(s -> s instanceof SweepScheme.Pruned p && p.calibrated());
        CalibrationSplit texts = texts(calibrated);
        SweepRequest request = new SweepRequest(schemes, texts.measured(), context.ctx, chunks.chunks,
                pp, tg, n, source).withCalibration(texts.calibration());
        SweepCache cache = noCache ? SweepCache.disabled() : SweepCache.atDefaultLocation();
        PrintWriter out = spec.commandLine().getOut();
        SweepListener listener = SweepListener.NONE;
        int suffix = request.weighted() ? SweepPoint.IMATRIX_SUFFIX.length() : 0;
        width = Math.max(6, schemes.stream().mapToInt(s -> s.label().length() + suffix).max().orElse(6));
        if (!json.json) {
            if (calibrated) out.println(calibrationNote());
            out.printf(Locale.ROOT, row(), "scheme", "size", "bpw", "tg tok/s", "pp tok/s", "KLD mean", "KLD p99", "top-1", "PPL");
            out.flush();
            listener = p -> {
                printRow(out, p);
                out.flush();
            };
        }
        SweepResult result;
        try (Model m = ModelOpener.open(model)) {
            result = Sweep.run(m, request, cache, listener, ProgressMonitor.NONE);
        }
        OptionalDouble kldLimit = maxKld == null ? OptionalDouble.empty() : OptionalDouble.of(maxKld);
        Recommendation rec = budget == null ? null : result.recommend(budgetBytes, kldLimit);
        if (json.json) {
            out.println(json(result, rec, budgetBytes, request, calibrated));
        } else {
            out.println();
            out.println("Pareto front, size vs KLD:    " + names(result.sizeFront()));
            SpeedNoise noise = result.speedNoise();
            out.println("Pareto front, latency vs KLD: " + (noise.withinNoise() ? "(none) " + noise.note()
                    : names(result.latencyFront())));
            if (request.prunes()) out.println(SweepScheme.Pruned.SPEED_NOTE);
            if (result.cacheHits() > 0) {
                out.printf(Locale.ROOT, "%d of %d points from the cache (%s)%n", result.cacheHits(),
                        result.points().size(), cache.directory().map(Path::toString).orElse(""));
            }
            if (rec != null) {
                out.println();
                out.println("Recommendation for " + Units.bytes(budgetBytes) + ": "
                        + rec.choice().map(SweepPoint::label).orElse("none"));
                out.println(rec.explanation());
            }
        }
        out.flush();
        return 0;
    }

    private String row() { return "%-" + width + "s %10s %6s %13s %9s %9s %8s %6s %9s%n"; }

    private void printRow(PrintWriter out, SweepPoint p) {
        switch (p) {
            case SweepPoint.Measured m -> out.printf(Locale.ROOT, row(), m.label(), Units.bytes(m.bytes()),
                    String.format(Locale.ROOT, "%.2f", m.bitsPerWeight()),
                    String.format(Locale.ROOT, "%.1f ±%.0f%%", m.latency().generationTokensPerSecond(),
                            100 * m.latency().generationSpread().relativeHalfWidth()),
                    String.format(Locale.ROOT, "%.1f", m.latency().promptTokensPerSecond()),
                    String.format(Locale.ROOT, "%.6f", m.accuracy().kldMean()),
                    String.format(Locale.ROOT, "%.4f", m.accuracy().kldP99()),
                    String.format(Locale.ROOT, "%.1f%%", 100 * m.accuracy().sameTopP()),
                    String.format(Locale.ROOT, "%.4f", m.accuracy().ppl()));
            case SweepPoint.Skipped s -> out.printf(Locale.ROOT, "%-" + width + "s skipped: %s%n", s.label(), s.reason());
        }
    }

    private static String names(List<SweepPoint.Measured> front) {
        return front.isEmpty() ? "(none)" : String.join(" → ", front.stream().map(SweepPoint::label).toList());
    }

    /**
     * What the sweep measures on and what Wanda and SparseGPT calibrate on: the calibration file, or the measured
     * text's second half (then measured on its first half only). Without calibrated points, the whole text.
     */
    private CalibrationSplit texts(boolean calibrated) throws java.io.IOException {
        SweepText measuredOn = text == null ? SweepText.bundled() : new SweepText.FromFile(text);
        String all = measuredOn.readAll();
        CalibrationSplit split;
        if (!calibrated) split = new CalibrationSplit(all, PruneCalibration.NONE);
        else if (calibrationText != null) split = CalibrationSplit.of(all, Files.readString(calibrationText, StandardCharsets.UTF_8));
        else split = CalibrationSplit.halves(all);
        if (calibrationTokens.tokens < 1) throw new IllegalArgumentException("--calibration-tokens must be at least 1");
        var c = split.calibration();
        // One --ctx, as the pruning commands have it: the calibration runs in the windows the sweep measures in.
        return new CalibrationSplit(split.measured(), c.withWindow(context.ctx, calibrationTokens.tokens));
    }

    private String calibrationNote() {
        String measured = text == null ? SweepText.bundled().name() : text.getFileName().toString();
        return calibrationText != null
                ? "Wanda and SparseGPT calibrate on " + calibrationText.getFileName() + "; measured on " + measured + "."
                : "Wanda and SparseGPT calibrate on the second half of " + measured + "; measured on its first half.";
    }

    private int sensitivity(List<PruneMethod> pruneMethods) throws Exception {
        if (pruneMethods.size() != 1) throw new IllegalArgumentException("--sensitivity takes one of --methods");
        if (!grid.isEmpty()) {
            throw new IllegalArgumentException("--sensitivity takes its sparsity alone, without --types or --sparsities");
        }
        SparsityRule rule = new SparsityRule(pruneMethods.getFirst(), SparsityPattern.parse(sensitivity));
        SensitivityUnit unit = SensitivityUnit.parse(by);
        CalibrationSplit texts = texts(rule.method().calibrated());
        SensitivityRequest request = new SensitivityRequest(rule, unit, texts.measured(), context.ctx, chunks.chunks,
                texts.calibration(), threads.count());
        PrintWriter out = spec.commandLine().getOut();
        SensitivityTable table = new SensitivityTable(out);
        if (!json.json) {
            if (rule.method().calibrated()) out.println(calibrationNote());
            out.println("Sensitivity to " + rule.label() + ", one " + unit.id() + " at a time:");
            table.header();
            out.flush();
        }
        SensitivityResult result;
        try (Model m = ModelOpener.open(model)) {
            result = LayerSensitivity.run(m, request, json.json ? _ -> {} : table::row, ProgressMonitor.NONE);
        }
        if (json.json) out.println(SensitivityTable.json(model, result));
        else table.footer(result);
        out.flush();
        return 0;
    }

    private String json(SweepResult r, Recommendation rec, long budgetBytes, SweepRequest request, boolean calibrated)
            throws Exception {
        boolean prunes = request.prunes();
        ObjectNode doc = CliJson.object();
        doc.put("model", model.toString());
        doc.put("model_sha256", r.modelSha256());
        doc.put("text_sha256", r.textSha256());
        if (r.imatrixSha256().isEmpty()) {
            doc.putNull("imatrix");
        } else {
            ObjectNode im = doc.putObject("imatrix");
            if (imatrix != null) im.put("file", imatrix.toString());
            else im.put("calibration_text", imatrixText.toString());
            im.put("sha256", r.imatrixSha256());
        }
        doc.put("ctx", context.ctx);
        if (!calibrated) {
            doc.putNull("calibration");
        } else {
            ObjectNode c = doc.putObject("calibration");
            if (calibrationText != null) c.put("text", calibrationText.toString());
            else c.put("text", "second half of the measured text");
            c.put("tokens", calibrationTokens.tokens);
        }
        if (prunes) doc.put("speed_note", SweepScheme.Pruned.SPEED_NOTE);
        else doc.putNull("speed_note");
        doc.put("parameters", r.parameters());
        doc.put("base_bytes", r.baseBytes());
        doc.put("computed", r.computed());
        doc.put("cache_hits", r.cacheHits());
        ArrayNode points = doc.putArray("points");
        for (SweepPoint p : r.points()) {
            ObjectNode o = points.addObject();
            o.put("scheme", p.schemeId());
            o.put("label", p.label());
            o.put("imatrix", p.imatrix());
            // Each scheme is followed by its importance-matrix point when the sweep has a matrix.
            SweepScheme scheme = request.schemes().get(request.weighted() ? p.index() / 2 : p.index());
            if (scheme instanceof SweepScheme.Pruned pruned) {
                ObjectNode pr = o.putObject("pruning");
                pr.put("method", pruned.sparsity().method().id());
                pr.put("pattern", pruned.sparsity().pattern().label());
                pr.put("sparsity", pruned.sparsity().pattern().sparsity());
                if (pruned.then().isPresent()) pr.put("then", pruned.then().get().id());
                else pr.putNull("then");
            } else {
                o.putNull("pruning");
            }
            switch (p) {
                case SweepPoint.Measured m -> {
                    o.put("status", "measured");
                    o.put("bytes", m.bytes());
                    o.put("bpw", m.bitsPerWeight());
                    o.put("tg_tokens_per_s", m.latency().generationTokensPerSecond());
                    o.put("pp_tokens_per_s", m.latency().promptTokensPerSecond());
                    SweepCache.writeSpread(o.putObject("tg_spread"), m.latency().generationSpread());
                    SweepCache.writeSpread(o.putObject("pp_spread"), m.latency().promptSpread());
                    o.put("kld_mean", m.accuracy().kldMean());
                    o.put("kld_median", m.accuracy().kldMedian());
                    o.put("kld_p99", m.accuracy().kldP99());
                    o.put("kld_max", m.accuracy().kldMax());
                    o.put("same_top_p", m.accuracy().sameTopP());
                    o.put("ppl", m.accuracy().ppl());
                    o.put("ppl_base", m.accuracy().pplBase());
                    o.put("tokens", m.accuracy().tokens());
                    o.put("cached", m.fromCache());
                }
                case SweepPoint.Skipped s -> {
                    o.put("status", "skipped");
                    o.put("reason", s.reason());
                }
            }
        }
        ArrayNode size = doc.putArray("pareto_size_kld");
        r.sizeFront().forEach(m -> size.add(m.schemeId()));
        ArrayNode latency = doc.putArray("pareto_latency_kld");
        r.latencyFront().forEach(m -> latency.add(m.schemeId()));
        // Why that front is empty when it is: the points' speeds differ by less than their runs scatter.
        ObjectNode noise = doc.putObject("speed_noise");
        noise.put("within_noise", r.speedNoise().withinNoise());
        noise.put("relative_half_iqr", r.speedNoise().noise());
        if (rec == null) {
            doc.putNull("recommendation");
        } else {
            ObjectNode o = doc.putObject("recommendation");
            o.put("budget_bytes", budgetBytes);
            if (maxKld != null) o.put("max_kld", maxKld);
            else o.putNull("max_kld");
            if (rec.choice().isPresent()) o.put("scheme", rec.choice().get().schemeId());
            else o.putNull("scheme");
            o.put("explanation", rec.explanation());
            ArrayNode ex = o.putArray("excluded");
            for (Recommendation.Exclusion e : rec.excluded()) {
                ObjectNode x = ex.addObject();
                x.put("scheme", e.point().schemeId());
                x.put("reason", e.reason().name().toLowerCase(Locale.ROOT));
                x.put("detail", e.detail());
            }
        }
        return CliJson.pretty(doc);
    }
}
