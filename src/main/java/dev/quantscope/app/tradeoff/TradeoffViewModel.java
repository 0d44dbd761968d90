package dev.quantscope.app.tradeoff;

import dev.quantscope.app.common.Async;
import dev.quantscope.app.common.BackgroundJob;
import dev.quantscope.app.common.LlamaCppSetting;
import dev.quantscope.app.common.PresetApplicability;
import dev.quantscope.app.document.ModelSession;
import dev.quantscope.eval.llamacpp.LlamaBench;
import dev.quantscope.eval.llamacpp.LlamaCppTools;
import dev.quantscope.eval.prune.CalibrationSplit;
import dev.quantscope.eval.prune.CompressionKind;
import dev.quantscope.eval.prune.SparsitySweep;
import dev.quantscope.eval.sweep.DeviceFit;
import dev.quantscope.eval.sweep.ImatrixSource;
import dev.quantscope.eval.sweep.Latency;
import dev.quantscope.eval.sweep.Recommendation;
import dev.quantscope.eval.sweep.Sweep;
import dev.quantscope.eval.sweep.SweepCache;
import dev.quantscope.eval.sweep.SweepPoint;
import dev.quantscope.eval.sweep.SweepRequest;
import dev.quantscope.eval.sweep.SweepResult;
import dev.quantscope.eval.sweep.SweepScheme;
import dev.quantscope.eval.sweep.SweepText;
import dev.quantscope.format.Model;
import dev.quantscope.pipeline.export.ExportOptions;
import dev.quantscope.pipeline.export.ModelExport;
import dev.quantscope.pipeline.plan.ModelPlan;
import dev.quantscope.pipeline.plan.Plans;
import dev.quantscope.pipeline.plan.TensorPlan;
import dev.quantscope.prune.PruneMethod;
import dev.quantscope.prune.SparsityPattern;
import dev.quantscope.recipe.SparsityRule;
import dev.quantscope.quant.preset.Preset;
import dev.quantscope.tensor.Units;
import javafx.application.Platform;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.collections.ObservableMap;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.concurrent.Executor;

/**
 * State of the Trade-off page of one open model: which schemes to sweep, on what text and context, the points as
 * they arrive (with an importance matrix, each scheme twice: without and with it), the current choice, and the
 * "fit my device" question (a memory budget and an optional KL limit).
 * The sweep runs off the FX thread; each finished point is handed over at once so the charts grow while it runs.
 * Points measured before (same model, text and settings) come from the sweep cache without running anything.
 */
public final class TradeoffViewModel {
    /** Presets ticked at first: one of each size class, so a first sweep spans the range without taking long. */
    static final Set<Preset> DEFAULT_PRESETS = Set.of(Preset.Q8_0, Preset.Q6_K, Preset.Q4_K_M, Preset.Q3_K_M, Preset.Q2_K);
    /** The pruned variants offered: each method at half the weights, unstructured and 2:4. */
    static final List<SparsityPattern> PRUNED_PATTERNS = List.of(new SparsityPattern.Unstructured(0.5),
            new SparsityPattern.NOfM(2, 4));
    public static final int DEFAULT_CTX = 128;
    public static final int DEFAULT_TEXT_KB = 16;

    private final ModelSession session;
    private final BackgroundJob<SweepResult> job;
    private final ObservableList<SchemeOption> presets = FXCollections.observableArrayList();
    /** The model as it is, and pruned by each method and pattern: none ticked at first. */
    private final ObservableList<SchemeOption> variants = FXCollections.observableArrayList();
    /** Each ticked pruned variant also quantized with each ticked preset and custom id. */
    private final BooleanProperty quantizePruned = new SimpleBooleanProperty(false);
    /** The schemes of the sweep whose points are shown, in its order: a point's index names its scheme. */
    private List<SweepScheme> swept = List.of();
    private final StringProperty customIds = new SimpleStringProperty("");
    /** The bundled sample at first, so a first sweep is one click. */
    private final ObjectProperty<SweepText> text = new SimpleObjectProperty<>(SweepText.bundled());
    private final IntegerProperty textKilobytes = new SimpleIntegerProperty(DEFAULT_TEXT_KB);
    private final IntegerProperty ctx = new SimpleIntegerProperty(DEFAULT_CTX);
    private final ObjectProperty<ImatrixChoice> imatrixChoice = new SimpleObjectProperty<>(ImatrixChoice.NONE);
    private final ObjectProperty<Path> imatrixFile = new SimpleObjectProperty<>();
    private final ObservableList<SweepPoint> points = FXCollections.observableArrayList();
    private final ObjectProperty<SweepPoint.Measured> current = new SimpleObjectProperty<>();
    private final StringProperty budget = new SimpleStringProperty("");
    private final StringProperty maxKld = new SimpleStringProperty("");
    private final ReadOnlyObjectWrapper<Recommendation> recommendation = new ReadOnlyObjectWrapper<>();
    private final ReadOnlyStringWrapper problem = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper fitProblem = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper status = new ReadOnlyStringWrapper("");
    private java.util.function.Consumer<String> tryInGenerate = _ -> {};
    /** Points of older runs are dropped: a cancelled sweep may still hand one over. */
    private long run;
    /** Whether the shown sweep measured each scheme twice (with an importance matrix): indices then pair up. */
    private boolean weightedRun;
    /** Where llama.cpp's tools are; the page measures a point with llama-bench when they are found. */
    private LlamaCppSetting llamaCpp = LlamaCppSetting.standard();
    private final BackgroundJob<LlamaCppFigure> llamaCppJob;
    /** llama-bench's figures by the point's scheme id (an imatrix point's id is its own): the table's extra columns. */
    private final ObservableMap<String, LlamaBench.Result> llamaCppFigures = FXCollections.observableHashMap();
    private final ReadOnlyStringWrapper llamaCppStatus = new ReadOnlyStringWrapper("");

    /** llama-bench's figures of the point with this scheme id. */
    public record LlamaCppFigure(String schemeId, String label, LlamaBench.Result result) {}

    /** How many timed runs llama-bench makes of each test (its -r), as {@code quantscope bench} defaults to. */
    static final int LLAMA_BENCH_REPETITIONS = 3;

    public TradeoffViewModel(ModelSession session, Executor executor) {
        this.session = session;
        this.job = new BackgroundJob<>(executor);
        this.llamaCppJob = new BackgroundJob<>(executor);
        llamaCppJob.stateProperty().addListener((_, _, st) -> {
            switch (st) {
                case Async.Done<LlamaCppFigure>(LlamaCppFigure f) -> {
                    llamaCppFigures.put(f.schemeId(), f.result());
                    llamaCppStatus.set(String.format(java.util.Locale.ROOT,
                            "%s: tg %.1f, pp %.1f tok/s, %s (exported to a temporary GGUF, deleted afterwards)",
                            f.label(), f.result().tg(), f.result().pp(), LlamaCppSetting.THEIRS));
                }
                case Async.Failed<LlamaCppFigure> f -> llamaCppStatus.set(f.message());
                case Async.Cancelled<LlamaCppFigure> _ -> llamaCppStatus.set("llama.cpp measurement cancelled");
                case Async.Running<LlamaCppFigure> _ -> {}
                case Async.Idle<LlamaCppFigure> _ -> {}
            }
        });
        llamaCppStatus.set(llamaCpp.describe());
        Model model = session.model();
        for (PresetApplicability a : PresetApplicability.of(model)) {
            presets.add(new SchemeOption(SweepScheme.of(a.preset()), DEFAULT_PRESETS.contains(a.preset()), a.refusal()));
        }
        variants.add(new SchemeOption(SparsitySweep.DENSE, false, Optional.empty()));
        for (SparsityPattern pattern : PRUNED_PATTERNS) {
            for (PruneMethod method : PruneMethod.values()) {
                SweepScheme pruned = new SweepScheme.Pruned(new SparsityRule(method, pattern));
                variants.add(new SchemeOption(pruned, false, whyNot(pruned, model)));
            }
        }
        // Half the base model is a budget that rules something out: the recommendation then has a reason to give.
        budget.set(Units.bytes(Math.max(1, model.tensorBytes() / 2)));
        job.stateProperty().addListener((_, _, s) -> status.set(describe(s)));
        clearProblemsOnChange();
    }

    /**
     * A message about the settings goes as soon as the settings change: it described the old ones (the next Run
     * checks the new ones again). A failed run's message goes too, and the charts show their hint again.
     */
    private void clearProblemsOnChange() {
        // Change listeners, not invalidation ones: those fire once until someone reads the value again.
        javafx.beans.value.ChangeListener<Object> settingsChanged = (_, _, _) -> {
            problem.set("");
            if (job.state() instanceof Async.Failed<?>) job.reset();
        };
        for (SchemeOption o : presets) o.selectedProperty().addListener(settingsChanged);
        for (SchemeOption o : variants) o.selectedProperty().addListener(settingsChanged);
        quantizePruned.addListener(settingsChanged);
        for (javafx.beans.value.ObservableValue<?> o : List.of(customIds, text, textKilobytes, ctx, imatrixChoice,
                imatrixFile)) {
            o.addListener(settingsChanged);
        }
        javafx.beans.value.ChangeListener<Object> fitChanged = (_, _, _) -> fitProblem.set("");
        budget.addListener(fitChanged);
        maxKld.addListener(fitChanged);
        // "Run a sweep first" is answered by the points arriving.
        points.addListener((javafx.collections.ListChangeListener<SweepPoint>) _ -> fitProblem.set(""));
    }

    public Model model() { return session.model(); }

    /**
     * Why {@code pruned} cannot be measured on {@code model} (a quantized source, rows no N:M group divides), if it
     * cannot: known from the plan, before anything runs.
     */
    private static Optional<String> whyNot(SweepScheme pruned, Model model) {
        try {
            ModelPlan plan = Plans.resolve(pruned.recipe(), model);
            if (!plan.prunes()) return Optional.of("this model has no weight matrix to prune");
            return plan.problems().stream().findFirst().map(TensorPlan::problem).map(Optional::orElseThrow)
                    .map(p -> plan.problems().getFirst().name() + ": " + p);
        } catch (IllegalArgumentException e) {
            return Optional.of(e.getMessage());
        }
    }

    /**
     * The original model if ticked, the ticked presets, then the custom ids, then each ticked pruned variant (and,
     * with {@link #quantizePrunedProperty()}, that variant quantized with each of the presets and ids before it).
     */
    List<SweepScheme> chosenSchemes() {
        List<SweepScheme> quantizations = new ArrayList<>();
        for (SchemeOption o : presets) if (o.selectedProperty().get()) quantizations.add(o.scheme());
        for (String id : customIds.get().split("[,\\s]+")) {
            if (!id.isBlank()) quantizations.add(SweepScheme.parse(id));
        }
        List<SweepScheme> out = new ArrayList<>();
        for (SchemeOption o : variants) {
            if (o.selectedProperty().get() && !(o.scheme() instanceof SweepScheme.Pruned)) out.add(o.scheme());
        }
        out.addAll(quantizations);
        for (SchemeOption o : variants) {
            if (!o.selectedProperty().get() || !(o.scheme() instanceof SweepScheme.Pruned pruned)) continue;
            out.add(pruned);
            if (quantizePruned.get()) {
                for (SweepScheme q : quantizations) out.add(new SweepScheme.Pruned(pruned.sparsity(), Optional.of(q)));
            }
        }
        return out;
    }

    /** What the point did to the model (original, quantized, pruned, both), from the scheme it was measured for. */
    public CompressionKind kindOf(SweepPoint p) {
        int i = weightedRun ? p.index() / 2 : p.index();
        return i < swept.size() ? CompressionKind.of(swept.get(i)) : CompressionKind.QUANTIZED;
    }

    /** Starts a sweep with the current settings, replacing one in progress. */
    public void runSweep() {
        List<SweepScheme> schemes;
        try {
            schemes = chosenSchemes();
        } catch (IllegalArgumentException e) {
            problem.set(e.getMessage());
            return;
        }
        if (schemes.isEmpty()) {
            problem.set("Tick at least one preset or variant, or enter a scheme id.");
            return;
        }
        SweepText measuredOn = text.get();
        if (measuredOn == null) {
            problem.set("Choose a text file to measure on.");
            return;
        }
        ImatrixChoice weighting = imatrixChoice.get() == null ? ImatrixChoice.NONE : imatrixChoice.get();
        Path weightsFile = imatrixFile.get();
        if (weighting == ImatrixChoice.FILE && weightsFile == null) {
            problem.set("Choose an importance matrix file (llama-imatrix GGUF or .dat), or set the importance matrix to None.");
            return;
        }
        problem.set("");
        fitProblem.set("");
        long id = ++run;
        points.clear();
        current.set(null);
        recommendation.set(null);
        int context = ctx.get();
        long limit = Math.multiplyExact((long) textKilobytes.get(), 1024L);
        SweepCache cache = SweepCache.atDefaultLocation();
        swept = List.copyOf(schemes);
        weightedRun = weighting != ImatrixChoice.NONE;
        // Wanda and SparseGPT fit the model to their calibration text: it follows the part measured, never is it.
        boolean calibrated = schemes.stream().anyMatch(s -> s instanceof SweepScheme.Pruned p && p.calibrated());
        String what = "Sweeping " + schemes.size() + (schemes.size() == 1 ? " scheme" : " schemes")
                + (weighting == ImatrixChoice.NONE ? "" : ", each without and with the importance matrix");
        job.submit(what, monitor -> session.read(() -> {
            try {
                CalibrationSplit split = calibrated ? CalibrationSplit.after(measuredOn, limit) : null;
                String sample = split != null ? split.measured() : measuredOn.read(limit);
                ImatrixSource source = switch (weighting) {
                    case NONE -> ImatrixSource.NONE;
                    // The matrix is computed over the same text and windows the sweep measures on.
                    case FROM_TEXT -> new ImatrixSource.FromText(sample, measuredOn.name(), context, 0);
                    case FILE -> new ImatrixSource.FromFile(weightsFile);
                };
                SweepRequest request = SweepRequest.of(schemes, sample, context).withImatrix(source);
                if (split != null) request = request.withCalibration(split.calibration());
                return Sweep.run(session.model(), request, cache, p -> Platform.runLater(() -> deliver(id, p)), monitor);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }));
    }

    private void deliver(long id, SweepPoint p) {
        if (id != run) return;
        points.add(p);
        if (current.get() == null && p instanceof SweepPoint.Measured m) current.set(m);
        status.set(describe(job.state()));
    }

    private String describe(Async<SweepResult> s) {
        long measured = points.stream().filter(p -> p instanceof SweepPoint.Measured).count();
        return switch (s) {
            case Async.Idle<SweepResult> _ -> "";
            case Async.Running<SweepResult> _ -> measured + " point" + (measured == 1 ? "" : "s") + " so far";
            case Async.Done<SweepResult>(SweepResult r) -> String.format(java.util.Locale.ROOT,
                    "%d measured, %d from the cache%s", r.computed(), r.cacheHits(),
                    r.points().size() > r.measured().size()
                            ? ", " + (r.points().size() - r.measured().size()) + " skipped" : "");
            case Async.Cancelled<SweepResult> _ -> "Cancelled after " + measured + " point" + (measured == 1 ? "" : "s");
            case Async.Failed<SweepResult> f -> f.message();
        };
    }

    /** Answers "fit my device" from the points so far, and makes the answer the current choice. */
    public void recommend() {
        long bytes;
        OptionalDouble limit;
        try {
            bytes = DeviceFit.parseBytes(budget.get());
            String k = maxKld.get() == null ? "" : maxKld.get().strip();
            limit = k.isEmpty() ? OptionalDouble.empty() : OptionalDouble.of(Double.parseDouble(k));
            if (limit.isPresent() && !(limit.getAsDouble() >= 0)) throw new IllegalArgumentException("the KL limit must not be negative");
        } catch (NumberFormatException e) {
            fitProblem.set("'" + maxKld.get().strip() + "' is not a number (e.g. 0.05)");
            return;
        } catch (IllegalArgumentException e) {
            fitProblem.set(e.getMessage());
            return;
        }
        if (points.isEmpty()) {
            fitProblem.set("Run a sweep first: the recommendation picks among its points.");
            return;
        }
        fitProblem.set("");
        Recommendation r = DeviceFit.recommend(List.copyOf(points), bytes, limit);
        recommendation.set(r);
        r.choice().ifPresent(current::set);
    }

    /** Where "try it" sends a scheme id: the document wires it to its Generate page. */
    public void setTryInGenerate(java.util.function.Consumer<String> action) { this.tryInGenerate = action; }

    /**
     * Whether the current choice can run on the Generate page: a preset or scheme id, not a custom recipe, nor a
     * point quantized with an importance matrix (Generate quantizes without one, so it would show another model).
     */
    public boolean canTryCurrent() {
        SweepPoint.Measured m = current.get();
        if (m == null || m.imatrix()) return false;
        try {
            SweepScheme.parse(m.schemeId());
            return true;
        } catch (IllegalArgumentException customRecipe) {
            return false;
        }
    }

    /** Opens the current choice on the Generate page, to read what it does to a continuation. */
    public void tryCurrent() {
        if (canTryCurrent()) tryInGenerate.accept(current.get().schemeId());
    }

    public void cancel() { job.cancel(); }

    public void cancelAll() {
        job.reset();
        llamaCppJob.reset();
    }

    /**
     * Measures the current point with llama.cpp's llama-bench, off the FX thread: its scheme is exported to a
     * temporary GGUF (deleted afterwards) and benchmarked with the same prompt and generated tokens and threads as
     * the sweep measured it with. An importance matrix changes the weights' values, not their types, so an imatrix
     * point is exported without one: its speed is the same. Why a point cannot be measured (no tools, a scheme
     * with no ggml type, a variant that needs calibration text) goes to {@link #llamaCppStatusProperty()}.
     */
    public void measureCurrentWithLlamaCpp() {
        SweepPoint.Measured m = current.get();
        if (m == null) {
            llamaCppStatus.set("Select a measured point to measure it with llama.cpp.");
            return;
        }
        Optional<LlamaCppTools> tools = llamaCpp.tools();
        if (tools.isEmpty()) {
            llamaCppStatus.set(llamaCpp.describe());
            return;
        }
        String id = m.imatrix() && m.schemeId().endsWith(SweepPoint.IMATRIX_SUFFIX)
                ? m.schemeId().substring(0, m.schemeId().length() - SweepPoint.IMATRIX_SUFFIX.length()) : m.schemeId();
        SweepScheme scheme;
        try {
            scheme = SweepScheme.parse(id);
        } catch (IllegalArgumentException customRecipe) {
            llamaCppStatus.set(m.label() + ": a custom recipe; export it from the Compress page and run llama-bench on the file.");
            return;
        }
        if (scheme instanceof SweepScheme.Pruned p && p.calibrated()) {
            llamaCppStatus.set(m.label() + ": pruned with calibration text, which this measurement does not have.");
            return;
        }
        Model model = session.model();
        ModelPlan plan;
        try {
            plan = Plans.resolve(scheme.recipe(), model);
        } catch (IllegalArgumentException e) {
            llamaCppStatus.set(m.label() + ": " + e.getMessage());
            return;
        }
        if (!plan.ggufWritable() || !(model.details() instanceof dev.quantscope.format.gguf.GgufFile)) {
            llamaCppStatus.set(m.label() + ": llama.cpp cannot run it (not every tensor has a ggml type, or the "
                    + "model is not a GGUF file).");
            return;
        }
        Latency l = m.latency();
        LlamaCppTools t = tools.get();
        llamaCppStatus.set("Exporting " + m.label() + ", then running llama-bench…");
        llamaCppJob.submit("llama.cpp: " + m.label(), monitor -> {
            Path dir = null;
            try {
                dir = Files.createTempDirectory("quantscope-llama-bench-");
                Path file = dir.resolve("variant.gguf");
                session.read(() -> {
                    try {
                        return ModelExport.export(session.model(), scheme.recipe(), file, ExportOptions.forTarget(file),
                                monitor);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
                monitor.checkCancelled();
                LlamaBench.Result r = LlamaBench.run(t, file, l.promptTokens(), l.generatedTokens(), l.threads(),
                        LLAMA_BENCH_REPETITIONS, monitor::isCancelled);
                return new LlamaCppFigure(m.schemeId(), m.label(), r);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.util.concurrent.CancellationException("cancelled");
            } finally {
                deleteTree(dir);
            }
        });
    }

    private static void deleteTree(Path dir) {
        if (dir == null) return;
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) Files.deleteIfExists(f);
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            // a temporary folder left behind is the system's to clean; the measurement itself is not affected
        }
    }

    /** Whether the current point is one llama.cpp could be asked about (the tools are checked when asked). */
    public boolean canMeasureCurrentWithLlamaCpp() {
        return current.get() != null;
    }

    public BackgroundJob<LlamaCppFigure> llamaCppJob() { return llamaCppJob; }

    /** llama-bench's figures so far, by scheme id. */
    public ObservableMap<String, LlamaBench.Result> llamaCppFigures() { return llamaCppFigures; }

    /** What the last llama.cpp measurement gave or why it did not run; where the tools are before the first. */
    public ReadOnlyStringProperty llamaCppStatusProperty() { return llamaCppStatus.getReadOnlyProperty(); }

    /** Where the tools are looked for; a test points it at its own preferences. */
    public void setLlamaCppSetting(LlamaCppSetting setting) {
        this.llamaCpp = setting;
        llamaCppStatus.set(setting.describe());
    }

    public LlamaCppSetting llamaCppSetting() { return llamaCpp; }

    public BackgroundJob<SweepResult> job() { return job; }

    public ObservableList<SchemeOption> presets() { return presets; }

    /** The original model and the pruned variants, each a check box. */
    public ObservableList<SchemeOption> variants() { return variants; }

    public BooleanProperty quantizePrunedProperty() { return quantizePruned; }

    public StringProperty customIdsProperty() { return customIds; }

    /** What accuracy is measured on: the bundled sample until the user chooses a file. */
    public ObjectProperty<SweepText> textProperty() { return text; }

    public IntegerProperty textKilobytesProperty() { return textKilobytes; }

    public IntegerProperty ctxProperty() { return ctx; }

    /** Whether each scheme is measured also with an importance matrix, and where it comes from. */
    public ObjectProperty<ImatrixChoice> imatrixChoiceProperty() { return imatrixChoice; }

    /** The importance matrix file for {@link ImatrixChoice#FILE}. */
    public ObjectProperty<Path> imatrixFileProperty() { return imatrixFile; }

    public ObservableList<SweepPoint> points() { return points; }

    /** The point marked on both charts: the table's selection, or the recommendation. */
    public ObjectProperty<SweepPoint.Measured> currentProperty() { return current; }

    public StringProperty budgetProperty() { return budget; }

    public StringProperty maxKldProperty() { return maxKld; }

    public ReadOnlyObjectProperty<Recommendation> recommendationProperty() { return recommendation.getReadOnlyProperty(); }

    /** Why Run did nothing (no scheme, no text, an unknown id), or empty. */
    public ReadOnlyStringProperty problemProperty() { return problem.getReadOnlyProperty(); }

    public ReadOnlyStringProperty fitProblemProperty() { return fitProblem.getReadOnlyProperty(); }

    public ReadOnlyStringProperty statusProperty() { return status.getReadOnlyProperty(); }
}
