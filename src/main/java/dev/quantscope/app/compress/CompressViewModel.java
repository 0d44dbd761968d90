package dev.quantscope.app.compress;

import dev.quantscope.app.common.Activity;
import dev.quantscope.app.common.BackgroundJob;
import dev.quantscope.app.common.LlamaCppSetting;
import dev.quantscope.app.common.PresetApplicability;
import dev.quantscope.engine.llama.KvCacheType;
import dev.quantscope.eval.llamacpp.LlamaBench;
import dev.quantscope.eval.llamacpp.LlamaCppTools;
import dev.quantscope.eval.sweep.Latency;
import dev.quantscope.eval.sweep.LatencyProbe;
import dev.quantscope.format.ModelOpener;
import dev.quantscope.app.document.ModelSession;
import dev.quantscope.failure.FailureDescriber;
import dev.quantscope.format.Model;
import dev.quantscope.pipeline.export.ExportOptions;
import dev.quantscope.pipeline.export.ExportResult;
import dev.quantscope.pipeline.export.ModelExport;
import dev.quantscope.pipeline.plan.ModelPlan;
import dev.quantscope.pipeline.plan.PlanError;
import dev.quantscope.pipeline.plan.PlanErrors;
import dev.quantscope.pipeline.plan.Plans;
import dev.quantscope.quant.preset.Preset;
import dev.quantscope.quant.preview.ErrorEstimator;
import dev.quantscope.quant.preview.Sampling;
import dev.quantscope.pipeline.plan.TensorPlan;
import dev.quantscope.quant.preview.TensorPreview;
import dev.quantscope.quant.preview.Walkthroughs;
import dev.quantscope.quant.scheme.GgmlBlock;
import dev.quantscope.quant.scheme.QuantScheme;
import dev.quantscope.recipe.Recipe;
import dev.quantscope.recipe.RecipeBase;
import dev.quantscope.recipe.Rule;
import dev.quantscope.tensor.DType;
import javafx.animation.PauseTransition;
import javafx.beans.Observable;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.util.Duration;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;

/**
 * State of the Compress page of one open model: the choice (a preset or a custom scheme, with override rules on
 * top: together one {@link Recipe}, resolved by the same recipe engine as the CLI's),
 * the plan it gives with its exact size (recomputed at once, on the FX thread: no quantization is needed), and
 * the background work that measures errors. Changes are debounced ({@link #DEBOUNCE}) before the trade-off is
 * recomputed; each slot is latest-request-wins, so stale work is cancelled.
 */
public final class CompressViewModel {
    public static final Duration DEBOUNCE = Duration.millis(250);
    public static final int BINS = 80;

    public enum Mode { PRESET, CUSTOM }

    private final ModelSession session;
    private final ErrorEstimator estimator;
    private final ObjectProperty<Mode> mode = new SimpleObjectProperty<>(Mode.PRESET);
    private final List<PresetApplicability> presetChoices;
    private final ObjectProperty<Preset> preset = new SimpleObjectProperty<>();
    private final ObjectProperty<QuantScheme> customScheme = new SimpleObjectProperty<>(new GgmlBlock(DType.Q4_K));
    private final ObservableList<RuleRow> rules = FXCollections.observableArrayList(
            r -> new Observable[] {r.patternProperty(), r.schemeProperty()});
    private final ReadOnlyObjectWrapper<ModelPlan> plan = new ReadOnlyObjectWrapper<>();
    private final ReadOnlyStringWrapper planProblem = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper keptSummary = new ReadOnlyStringWrapper("");
    private final ObjectProperty<String> selectedTensor = new SimpleObjectProperty<>();
    private final IntegerProperty row = new SimpleIntegerProperty(0);
    private final IntegerProperty block = new SimpleIntegerProperty(0);
    private final BooleanProperty errorAsMse = new SimpleBooleanProperty(false);
    private final BackgroundJob<TradeoffResult> tradeoff;
    private final BackgroundJob<TensorPreview> preview;
    private final BackgroundJob<ExportOutcome> export;
    private final BackgroundJob<ExportSpeed> speed;
    private LlamaCppSetting llamaCpp = LlamaCppSetting.standard();
    private final Activity activity;
    private final PauseTransition debounce = new PauseTransition(DEBOUNCE);
    private boolean started;

    /** What an export wrote. */
    public record ExportOutcome(java.nio.file.Path file, long bytes) {}

    /**
     * The speed of an exported file: QuantScope's engine's, and llama-bench's when its tools were found (else
     * {@code llamaCppNote} says why there is none).
     */
    public record ExportSpeed(java.nio.file.Path file, Latency ours,
                              java.util.Optional<LlamaBench.Result> llamaCpp, String llamaCppNote) {}

    /** The speed measurement's tokens and timed runs: {@code quantscope bench}'s and llama-bench's defaults. */
    public static final int SPEED_PP = 128, SPEED_TG = 32, SPEED_RUNS = 3;

    public CompressViewModel(ModelSession session, Executor executor) {
        this.session = session;
        this.estimator = new ErrorEstimator(session.model(), Sampling.DEFAULT);
        this.tradeoff = new BackgroundJob<>(executor);
        this.preview = new BackgroundJob<>(executor);
        this.export = new BackgroundJob<>(executor);
        this.speed = new BackgroundJob<>(executor);
        this.activity = new Activity(List.of(tradeoff, preview, export, speed));
        this.presetChoices = PresetApplicability.of(session.model());
        // The first preset that applies, in the order the chooser lists them; with none (no GGUF source, or rows
        // no preset can cut), the page opens on the custom scheme instead of on an error.
        presetChoices.stream().filter(PresetApplicability::applies).findFirst().ifPresentOrElse(
                a -> preset.set(a.preset()),
                () -> {
                    preset.set(presetChoices.getFirst().preset());
                    mode.set(Mode.CUSTOM);
                });
        debounce.setOnFinished(_ -> recompute());
        mode.addListener((_, _, _) -> replan());
        preset.addListener((_, _, _) -> replan());
        customScheme.addListener((_, _, _) -> replan());
        rules.addListener((javafx.collections.ListChangeListener<RuleRow>) _ -> replan());
        selectedTensor.addListener((_, _, _) -> {
            row.set(0);
            block.set(0);
            requestPreview();
        });
        row.addListener((_, _, _) -> requestPreview());
        block.addListener((_, _, _) -> requestPreview());
        plan.addListener((_, _, p) -> {
            // The tensor box always shows a tensor once there is a plan to show it under.
            if (selectedTensor.get() == null) selectedTensor.set(firstQuantized(p));
        });
        replanNow();
    }

    /** Re-plans at once (sizes), then measures errors once the user has paused. */
    private void replan() {
        replanNow();
        debounce.playFromStart();
    }

    private void replanNow() {
        try {
            Recipe r = recipe();
            String base = switch (r.base()) {
                case RecipeBase.PresetChoices p -> p.preset().name();
                case RecipeBase.DefaultScheme d -> d.scheme().label();
            };
            plan.set(Plans.of(r, base + (r.rules().isEmpty() ? "" : " + " + r.rules().size()
                    + (r.rules().size() == 1 ? " rule" : " rules")), session.model()));
            planProblem.set("");
            keptSummary.set(KeptTensors.summary(plan.get()));
        } catch (IllegalArgumentException e) {
            // The last good plan stays on screen; the problem is said next to the input.
            planProblem.set(FailureDescriber.describe(e));
        }
    }

    /**
     * The page's choice as a recipe: the preset's choices or the custom scheme for unmatched tensors, then the
     * rules in table order (first match wins). Rows still being typed (blank pattern) are left out.
     * @throws IllegalArgumentException naming a bad pattern or scheme id
     */
    public Recipe recipe() {
        List<Rule> engineRules = new ArrayList<>();
        for (RuleRow r : rules) {
            if (r.patternProperty().get() == null || r.patternProperty().get().isBlank()) continue;
            engineRules.add(r.toRule());
        }
        RecipeBase base = switch (mode.get()) {
            case PRESET -> new RecipeBase.PresetChoices(preset.get());
            case CUSTOM -> new RecipeBase.DefaultScheme(customScheme.get());
        };
        return new Recipe("", base, engineRules);
    }

    /** Writes the page's choice as a recipe file (the CLI's format), named after the plan. */
    public void saveRecipe(java.nio.file.Path file) throws java.io.IOException {
        dev.quantscope.recipe.RecipeJson.write(recipe().withName(plan.get() == null ? "" : plan.get().label()), file);
    }

    /** Reads a recipe file onto the page. @throws java.io.IOException naming the file, JSON path and problem */
    public void loadRecipe(java.nio.file.Path file) throws java.io.IOException {
        load(dev.quantscope.recipe.RecipeJson.read(file));
    }

    /** Shows {@code r} on the page: its base picks the mode, preset or scheme; its rules replace the table's. */
    public void load(Recipe r) {
        switch (r.base()) {
            case RecipeBase.PresetChoices p -> {
                preset.set(p.preset());
                mode.set(Mode.PRESET);
            }
            case RecipeBase.DefaultScheme d -> {
                customScheme.set(d.scheme());
                mode.set(Mode.CUSTOM);
            }
        }
        rules.setAll(r.rules().stream().map(RuleRow::of).toList());
    }

    /**
     * Starts measuring; until then only sizes are kept up to date, so opening a model costs no quantization until
     * its Compress page is first shown. Idempotent.
     */
    public void start() {
        if (started) return;
        started = true;
        recompute();
    }

    private void recompute() {
        ModelPlan current = plan.get();
        if (current == null || !started) return;
        long refused = presetChoices.stream().filter(a -> !a.applies()).count();
        tradeoff.submit("Measuring size vs error", m -> session.read(() -> {
            List<ModelPlan> plans = new ArrayList<>();
            // A preset llama-quantize would refuse gets no point on the chart; the note says how many.
            for (PresetApplicability a : presetChoices) {
                if (a.applies()) plans.add(Plans.ofPreset(a.preset(), session.model()));
            }
            boolean currentIsPreset = current.preset().isPresent();
            if (!currentIsPreset) plans.add(current);
            List<PlanError> errors = PlanErrors.evaluateAll(estimator, plans, m);
            List<PlanError> presets = errors.subList(0, errors.size() - (currentIsPreset ? 0 : 1));
            PlanError cur = currentIsPreset
                    ? presets.stream().filter(e -> e.plan().preset().equals(current.preset())).findFirst().orElseThrow()
                    : errors.getLast();
            String note = estimator.describeSampling() + (refused == 0 ? "" : "  ·  " + refused
                    + (refused == 1 ? " preset does" : " presets do") + " not apply to this model");
            return new TradeoffResult(presets, cur, note);
        }));
        requestPreview();
    }

    private void requestPreview() {
        if (!started) return;
        ModelPlan p = plan.get();
        String name = selectedTensor.get();
        if (p == null || name == null) {
            preview.reset();
            return;
        }
        TensorPlan tp = p.tensor(name).orElse(null);
        if (tp == null) {
            preview.reset();
            return;
        }
        long r = Math.max(0, Math.min(tp.rows() - 1, row.get()));
        int b = Math.max(0, Math.min(Walkthroughs.blocksPerRow(tp.rowLength()) - 1, block.get()));
        preview.submit("Quantizing " + name, _ -> session.read(() -> TensorPreview.of(estimator, tp.name(), tp.rowLength(), tp.effectiveScheme(), r, b, BINS)));
    }

    /** Measures the selected tensor again when its last measurement was cancelled (picking it again asks so). */
    public void previewAgainIfCancelled() {
        if (preview.state() instanceof dev.quantscope.app.common.Async.Cancelled<TensorPreview>) requestPreview();
    }

    /** Exports the current plan to {@code target} in the format its extension names, with the default options. */
    public void exportTo(java.nio.file.Path target) {
        exportTo(target, ExportOptions.forTarget(target));
    }

    /**
     * Exports the current plan's recipe through the engine's {@link ModelExport} (the CLI's export): quantized in
     * parallel, written to a temporary file, verified, then renamed; the input file is never replaced, and a
     * cancelled export leaves nothing behind.
     */
    public void exportTo(java.nio.file.Path target, ExportOptions options) {
        exportTo(target, options, null);
    }

    /**
     * As {@link #exportTo(java.nio.file.Path, ExportOptions)}, the GGUF quantizers weighted by the importance matrix
     * in {@code imatrixFile} (llama-imatrix GGUF or legacy .dat), read on the export's thread; null for none. A file
     * that is not an importance matrix fails the export with an error naming it, before anything is written.
     */
    public void exportTo(java.nio.file.Path target, ExportOptions options, java.nio.file.Path imatrixFile) {
        ModelPlan p = plan.get();
        if (p == null) return;
        export.submit("Exporting " + target.getFileName(), m -> session.read(() -> {
            try {
                ExportOptions o = options;
                if (imatrixFile != null) {
                    try {
                        o = options.withImatrix(dev.quantscope.quant.imatrix.ImatrixFile.read(imatrixFile));
                    } catch (java.io.IOException | RuntimeException e) {
                        throw new IllegalArgumentException(imatrixFile + ": not a readable importance matrix ("
                                + e.getMessage() + ")", e);
                    }
                }
                ExportResult r = ModelExport.export(session.model(), p.recipe(), target, o, m);
                return new ExportOutcome(r.output(), r.fileBytes());
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }));
    }

    /**
     * Measures the last exported file's speed, off the FX thread: QuantScope's engine first, then llama.cpp's
     * llama-bench on the same file when its tools are found, both with {@link #SPEED_PP} prompt and
     * {@link #SPEED_TG} generated tokens, every core, an F16 KV cache (llama-bench's only float one) and medians of
     * {@link #SPEED_RUNS} timed runs. Ours runs in this process, as every speed the app shows is measured (the
     * engine the app runs, after its warm-up); llama-bench is its own process. Cancel stops either.
     */
    public void measureExportSpeed() {
        if (!(export.state() instanceof dev.quantscope.app.common.Async.Done<ExportOutcome>(ExportOutcome o))) return;
        java.nio.file.Path file = o.file();
        java.util.Optional<LlamaCppTools> tools = llamaCpp.tools();
        String note = tools.isPresent() ? "" : llamaCpp.describe();
        int threads = Runtime.getRuntime().availableProcessors();
        speed.submit("Measuring the speed of " + file.getFileName(), monitor -> {
            try (Model m = ModelOpener.open(file)) {
                Latency ours = LatencyProbe.measure(m, SPEED_PP, SPEED_TG, threads, KvCacheType.F16, SPEED_RUNS);
                monitor.checkCancelled();
                java.util.Optional<LlamaBench.Result> theirs = java.util.Optional.empty();
                if (tools.isPresent()) {
                    theirs = java.util.Optional.of(LlamaBench.run(tools.get(), file, SPEED_PP, SPEED_TG, threads,
                            SPEED_RUNS, monitor::isCancelled));
                }
                return new ExportSpeed(file, ours, theirs, note);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.util.concurrent.CancellationException("cancelled");
            }
        });
    }

    public BackgroundJob<ExportSpeed> speed() { return speed; }

    /** Where llama.cpp's tools are looked for; a test points it at its own preferences. */
    public void setLlamaCppSetting(LlamaCppSetting setting) { this.llamaCpp = setting; }

    public LlamaCppSetting llamaCppSetting() { return llamaCpp; }

    /** Whether the current plan can be written as GGUF: a GGUF source, and a ggml type for every tensor. */
    public boolean ggufExportable() {
        ModelPlan p = plan.get();
        return p != null && p.ggufWritable() && session.model().details() instanceof dev.quantscope.format.gguf.GgufFile;
    }

    static String firstQuantized(ModelPlan p) {
        if (p == null) return null;
        return p.tensors().stream().filter(TensorPlan::changesValues).map(TensorPlan::name).findFirst()
                .orElse(p.tensors().isEmpty() ? null : p.tensors().getFirst().name());
    }

    public void cancelAll() {
        debounce.stop();
        tradeoff.reset();
        preview.reset();
        export.cancel();
        speed.cancel();
    }

    public Model model() { return session.model(); }

    public ErrorEstimator estimator() { return estimator; }

    public ObjectProperty<Mode> modeProperty() { return mode; }

    public ObjectProperty<Preset> presetProperty() { return preset; }

    /** Every preset in the chooser's order, with why llama-quantize would refuse it for this model. */
    public List<PresetApplicability> presetChoices() { return presetChoices; }

    /** Why {@code p} cannot apply to this model, or empty when it can. */
    public java.util.Optional<String> refusalOf(Preset p) {
        return presetChoices.stream().filter(a -> a.preset() == p).findFirst().flatMap(PresetApplicability::refusal);
    }

    /** Chooses {@code p} when it applies to this model; false (and nothing changes) when llama-quantize refuses it. */
    public boolean choosePreset(Preset p) {
        if (p == null || refusalOf(p).isPresent()) return false;
        preset.set(p);
        return true;
    }

    public ObjectProperty<QuantScheme> customSchemeProperty() { return customScheme; }

    public ObservableList<RuleRow> rules() { return rules; }

    public ReadOnlyObjectProperty<ModelPlan> planProperty() { return plan.getReadOnlyProperty(); }

    public ModelPlan plan() { return plan.get(); }

    public ReadOnlyStringProperty planProblemProperty() { return planProblem.getReadOnlyProperty(); }

    /** Which tensors cannot take the scheme asked for and are kept, and why; "" when all took it. */
    public ReadOnlyStringProperty keptSummaryProperty() { return keptSummary.getReadOnlyProperty(); }

    public ObjectProperty<String> selectedTensorProperty() { return selectedTensor; }

    public IntegerProperty rowProperty() { return row; }

    public IntegerProperty blockProperty() { return block; }

    public BooleanProperty errorAsMseProperty() { return errorAsMse; }

    public BackgroundJob<TradeoffResult> tradeoff() { return tradeoff; }

    public BackgroundJob<TensorPreview> preview() { return preview; }

    public BackgroundJob<ExportOutcome> export() { return export; }

    public Activity activity() { return activity; }
}
