package dev.quantscope.app.compress;

import dev.quantscope.app.common.Activity;
import dev.quantscope.app.common.BackgroundJob;
import dev.quantscope.app.common.ErrorMessages;
import dev.quantscope.app.document.ModelSession;
import dev.quantscope.format.Model;
import dev.quantscope.quant.preset.Preset;
import dev.quantscope.quant.preview.ErrorEstimator;
import dev.quantscope.quant.preview.ModelPlan;
import dev.quantscope.quant.preview.OverrideRule;
import dev.quantscope.quant.preview.PlanError;
import dev.quantscope.quant.preview.Plans;
import dev.quantscope.quant.preview.Sampling;
import dev.quantscope.quant.preview.TensorPlan;
import dev.quantscope.quant.preview.TensorPreview;
import dev.quantscope.quant.preview.Walkthroughs;
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
 * State of the Compress page of one open model: the choice (a preset, or a custom default with override rules),
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
    private final ObjectProperty<Preset> preset = new SimpleObjectProperty<>(Preset.Q8_0);
    private final ObjectProperty<DType> customType = new SimpleObjectProperty<>(DType.Q4_K);
    private final ObservableList<RuleRow> rules = FXCollections.observableArrayList(
            r -> new Observable[] {r.patternProperty(), r.syntaxProperty(), r.targetProperty()});
    private final ReadOnlyObjectWrapper<ModelPlan> plan = new ReadOnlyObjectWrapper<>();
    private final ReadOnlyStringWrapper planProblem = new ReadOnlyStringWrapper("");
    private final ObjectProperty<String> selectedTensor = new SimpleObjectProperty<>();
    private final IntegerProperty row = new SimpleIntegerProperty(0);
    private final IntegerProperty block = new SimpleIntegerProperty(0);
    private final BooleanProperty errorAsMse = new SimpleBooleanProperty(false);
    private final BackgroundJob<TradeoffResult> tradeoff;
    private final BackgroundJob<TensorPreview> preview;
    private final BackgroundJob<ExportOutcome> export;
    private final Activity activity;
    private final PauseTransition debounce = new PauseTransition(DEBOUNCE);
    private boolean started;

    /** What an export wrote. */
    public record ExportOutcome(java.nio.file.Path file, long bytes) {}

    public CompressViewModel(ModelSession session, Executor executor) {
        this.session = session;
        this.estimator = new ErrorEstimator(session.model(), Sampling.DEFAULT);
        this.tradeoff = new BackgroundJob<>(executor);
        this.preview = new BackgroundJob<>(executor);
        this.export = new BackgroundJob<>(executor);
        this.activity = new Activity(List.of(tradeoff, preview, export));
        debounce.setOnFinished(_ -> recompute());
        mode.addListener((_, _, _) -> replan());
        preset.addListener((_, _, _) -> replan());
        customType.addListener((_, _, _) -> replan());
        rules.addListener((javafx.collections.ListChangeListener<RuleRow>) _ -> replan());
        selectedTensor.addListener((_, _, _) -> {
            row.set(0);
            block.set(0);
            requestPreview();
        });
        row.addListener((_, _, _) -> requestPreview());
        block.addListener((_, _, _) -> requestPreview());
        replanNow();
        selectedTensor.set(firstQuantized(plan.get()));
    }

    /** Re-plans at once (sizes), then measures errors once the user has paused. */
    private void replan() {
        replanNow();
        debounce.playFromStart();
    }

    private void replanNow() {
        try {
            plan.set(switch (mode.get()) {
                case PRESET -> Plans.ofPreset(preset.get(), session.model());
                case CUSTOM -> {
                    List<OverrideRule> engineRules = new ArrayList<>();
                    for (RuleRow r : rules) {
                        if (r.patternProperty().get().isBlank()) continue; // a row being typed
                        engineRules.add(r.toRule());
                    }
                    yield Plans.custom("custom " + customType.get().name()
                            + (engineRules.isEmpty() ? "" : " + " + engineRules.size() + " rules"),
                            session.model(), new dev.quantscope.quant.preview.Target.Stored(customType.get()),
                            engineRules);
                }
            });
            planProblem.set("");
        } catch (IllegalArgumentException e) {
            // The last good plan stays on screen; the problem is said next to the input.
            planProblem.set(ErrorMessages.describe(e));
        }
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
        tradeoff.submit("Measuring size vs error", m -> session.read(() -> {
            List<ModelPlan> plans = new ArrayList<>();
            for (Preset p : Preset.values()) {
                try {
                    plans.add(Plans.ofPreset(p, session.model()));
                } catch (IllegalArgumentException notForThisModel) {
                    // llama-quantize would refuse it too: no point on the chart
                }
            }
            boolean currentIsPreset = current.preset().isPresent();
            if (!currentIsPreset) plans.add(current);
            List<PlanError> errors = estimator.evaluateAll(plans, m);
            List<PlanError> presets = errors.subList(0, errors.size() - (currentIsPreset ? 0 : 1));
            PlanError cur = currentIsPreset
                    ? presets.stream().filter(e -> e.plan().preset().equals(current.preset())).findFirst().orElseThrow()
                    : errors.getLast();
            return new TradeoffResult(presets, cur, estimator.describeSampling());
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
        preview.submit("Quantizing " + name, _ -> session.read(() -> TensorPreview.of(estimator, tp, r, b, BINS)));
    }

    /** Writes the current plan as GGUF to {@code target}; the input file is never replaced. */
    public void exportTo(java.nio.file.Path target) {
        ModelPlan p = plan.get();
        if (p == null) return;
        export.submit("Exporting " + target.getFileName(),
                m -> session.read(() -> new ExportOutcome(target,
                        dev.quantscope.quant.preview.PlanGgufWriter.write(session.model(), p, target, m))));
    }

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
    }

    public Model model() { return session.model(); }

    public ErrorEstimator estimator() { return estimator; }

    public ObjectProperty<Mode> modeProperty() { return mode; }

    public ObjectProperty<Preset> presetProperty() { return preset; }

    public ObjectProperty<DType> customTypeProperty() { return customType; }

    public ObservableList<RuleRow> rules() { return rules; }

    public ReadOnlyObjectProperty<ModelPlan> planProperty() { return plan.getReadOnlyProperty(); }

    public ModelPlan plan() { return plan.get(); }

    public ReadOnlyStringProperty planProblemProperty() { return planProblem.getReadOnlyProperty(); }

    public ObjectProperty<String> selectedTensorProperty() { return selectedTensor; }

    public IntegerProperty rowProperty() { return row; }

    public IntegerProperty blockProperty() { return block; }

    public BooleanProperty errorAsMseProperty() { return errorAsMse; }

    public BackgroundJob<TradeoffResult> tradeoff() { return tradeoff; }

    public BackgroundJob<TensorPreview> preview() { return preview; }

    public BackgroundJob<ExportOutcome> export() { return export; }

    public Activity activity() { return activity; }
}
