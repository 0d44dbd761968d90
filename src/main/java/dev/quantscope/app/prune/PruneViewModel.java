package dev.quantscope.app.prune;

import dev.quantscope.app.common.Activity;
import dev.quantscope.app.common.Async;
import dev.quantscope.app.common.BackgroundJob;
import dev.quantscope.app.common.PresetApplicability;
import dev.quantscope.app.document.ModelSession;
import dev.quantscope.eval.sweep.SweepText;
import dev.quantscope.failure.FailureDescriber;
import dev.quantscope.format.Model;
import dev.quantscope.pipeline.export.ExportOptions;
import dev.quantscope.pipeline.export.ExportResult;
import dev.quantscope.pipeline.export.ModelExport;
import dev.quantscope.pipeline.plan.ModelPlan;
import dev.quantscope.pipeline.plan.Plans;
import dev.quantscope.pipeline.plan.TensorPlan;
import dev.quantscope.pipeline.prune.PruneCalibration;
import dev.quantscope.prune.PruneMethod;
import dev.quantscope.prune.SparsityPattern;
import dev.quantscope.recipe.Recipe;
import dev.quantscope.recipe.Rule;
import dev.quantscope.recipe.SparsityRule;
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
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ListChangeListener;
import javafx.collections.ObservableList;
import javafx.util.Duration;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.stream.Collectors;

/**
 * State of the Prune page of one open model: the choice (method, a sparsity or an N:M pattern for every prunable
 * tensor, rules on top, a quantization after), the plan it resolves to at once, a preview of the selected tensor
 * (magnitude and Wanda, in the background), the whole-model run
 * ({@link dev.quantscope.pipeline.prune.PlanPruning} with progress and Cancel) and
 * the export. Each job is latest-request-wins.
 */
public final class PruneViewModel {
    public static final Duration DEBOUNCE = Duration.millis(200);
    public static final int MAX_PERCENT = 95;
    /** The N:M patterns the page offers by name; any other is typed. */
    public static final List<String> N_OF_M_CHOICES = List.of("2:4", "4:8", "1:4");

    public enum TargetKind { SPARSITY, N_OF_M }

    /** What an export wrote: the file, its size and the sparsity left in it. */
    public record ExportOutcome(Path file, long bytes, double sparsityPruned, double sparsityStored) {}

    private final ModelSession session;
    private final Executor executor;
    private final ObjectProperty<PruneMethod> method = new SimpleObjectProperty<>(PruneMethod.MAGNITUDE);
    private final ObjectProperty<TargetKind> targetKind = new SimpleObjectProperty<>(TargetKind.SPARSITY);
    private final IntegerProperty sparsityPercent = new SimpleIntegerProperty(50);
    private final BooleanProperty global = new SimpleBooleanProperty(false);
    private final StringProperty nOfM = new SimpleStringProperty("2:4");
    private final ObservableList<PruneRuleRow> rules = FXCollections.observableArrayList(
            r -> new Observable[] {r.patternProperty(), r.targetProperty(), r.methodProperty()});
    private final List<AfterPruning> afterChoices;
    private final ObjectProperty<AfterPruning> after = new SimpleObjectProperty<>(AfterPruning.NONE);
    /** The calibration text, or null for none. */
    private final ObjectProperty<SweepText> calibration = new SimpleObjectProperty<>(SweepText.bundled());
    private final ReadOnlyObjectWrapper<ModelPlan> plan = new ReadOnlyObjectWrapper<>();
    private final ReadOnlyStringWrapper planProblem = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper methodNote = new ReadOnlyStringWrapper("");
    private final List<String> prunable;
    private final ObjectProperty<String> selectedTensor = new SimpleObjectProperty<>();
    private final BackgroundJob<TensorResult> preview;
    private final BackgroundJob<PruneRun> run;
    private final BackgroundJob<ExportOutcome> export;
    private final ReadOnlyObjectWrapper<PruneRun> lastRun = new ReadOnlyObjectWrapper<>();
    private final ReadOnlyObjectWrapper<TensorResult> shown = new ReadOnlyObjectWrapper<>();
    private final Activity activity;
    /** The choice the preview slot's latest request was made for: its result stands for nothing else. */
    private PreviewKey previewFor;
    private final PauseTransition debounce = new PauseTransition(DEBOUNCE);
    private boolean started;

    public PruneViewModel(ModelSession session, Executor executor) {
        this.session = session;
        this.executor = executor;
        this.preview = new BackgroundJob<>(executor);
        this.run = new BackgroundJob<>(executor);
        this.export = new BackgroundJob<>(executor);
        this.activity = new Activity(List.of(preview, run));
        this.prunable = Plans.prunableTensors(session.model()).stream().map(t -> t.name()).toList();
        List<AfterPruning> choices = new ArrayList<>();
        choices.add(AfterPruning.NONE);
        PresetApplicability.of(session.model()).stream().filter(PresetApplicability::applies)
                .forEach(a -> choices.add(new AfterPruning.Quantized(a.preset())));
        this.afterChoices = List.copyOf(choices);
        debounce.setOnFinished(_ -> requestPreview());
        for (Observable o : List.<Observable>of(method, targetKind, sparsityPercent, global, nOfM, after, calibration)) {
            o.addListener(_ -> replan());
        }
        rules.addListener((ListChangeListener<PruneRuleRow>) _ -> replan());
        selectedTensor.addListener((_, _, _) -> requestPreview());
        run.stateProperty().addListener((_, _, s) -> {
            if (s instanceof Async.Done<PruneRun>(PruneRun r)) lastRun.set(r);
            refreshShown();
        });
        preview.stateProperty().addListener((_, _, _) -> refreshShown());
        if (!prunable.isEmpty()) selectedTensor.set(prunable.getFirst());
        replanNow();
    }

    // ---- the choice and its plan ----

    private void replan() {
        replanNow();
        refreshShown();
        debounce.playFromStart();
    }

    private void replanNow() {
        methodNote.set(methodNote(method.get(), calibration.get()));
        try {
            ModelPlan p = Plans.of(recipe(), label(), session.model());
            plan.set(p);
            String problem = problemOf(p);
            planProblem.set(problem.isEmpty() ? missingCalibration(p, calibration.get()) : problem);
        } catch (IllegalArgumentException e) {
            // The last good plan stays; the problem is said beside the input.
            planProblem.set(FailureDescriber.describe(e));
        }
    }

    /** The page's choice as a recipe: the rules in table order (first match wins), then the target for every tensor. */
    public Recipe recipe() {
        List<Rule> out = new ArrayList<>();
        for (PruneRuleRow r : rules) {
            if (r.patternProperty().get() == null || r.patternProperty().get().isBlank()) continue;
            out.add(r.toRule());
        }
        out.add(Rule.pruning("*", new SparsityRule(method.get(), pattern(),
                global.get() && method.get() == PruneMethod.MAGNITUDE && targetKind.get() == TargetKind.SPARSITY)));
        return new Recipe("", after.get().base(), out);
    }

    /** The target every tensor no rule names gets. @throws IllegalArgumentException for an N:M that does not parse */
    public SparsityPattern pattern() {
        return switch (targetKind.get()) {
            case SPARSITY -> new SparsityPattern.Unstructured(sparsityPercent.get() / 100.0);
            case N_OF_M -> {
                SparsityPattern p = SparsityPattern.parse(nOfM.get() == null ? "" : nOfM.get());
                if (!(p instanceof SparsityPattern.NOfM)) {
                    throw new IllegalArgumentException("\"" + nOfM.get() + "\" is not an N:M pattern: write it as 2:4");
                }
                yield p;
            }
        };
    }

    private String label() {
        String target = switch (targetKind.get()) {
            case SPARSITY -> sparsityPercent.get() + "%";
            case N_OF_M -> nOfM.get();
        };
        String base = method.get().id() + " " + target + (global.get() && method.get() == PruneMethod.MAGNITUDE
                && targetKind.get() == TargetKind.SPARSITY ? " global" : "");
        return after.get() instanceof AfterPruning.Quantized(var p) ? base + " + " + p.name() : base;
    }

    /** One sentence on the tensors the plan cannot prune (an N:M group that does not divide their rows), or "". */
    static String problemOf(ModelPlan p) {
        List<TensorPlan> problems = p.problems();
        if (problems.isEmpty()) return "";
        String why = problems.getFirst().problem().orElseThrow();
        String names = problems.stream().limit(3).map(TensorPlan::name).collect(Collectors.joining(", "))
                + (problems.size() > 3 ? " and " + (problems.size() - 3) + " more" : "");
        return problems.size() == 1 ? names + " " + why.replaceFirst("^its ", "has ") + "."
                : problems.size() + " tensors (" + names + ") cannot take this: the first " + why + ".";
    }

    /** What is missing when a rule of the plan prunes with a calibrated method and no text is chosen, or "". */
    static String missingCalibration(ModelPlan p, SweepText text) {
        if (text != null) return "";
        return p.tensors().stream().flatMap(t -> t.pruning().stream()).map(SparsityRule::method)
                .filter(PruneMethod::calibrated).findFirst()
                .map(m -> methodName(m) + " needs a calibration text: choose one, or the bundled sample.").orElse("");
    }

    static String methodName(PruneMethod m) {
        return switch (m) {
            case MAGNITUDE -> "Magnitude";
            case WANDA -> "Wanda";
            case SPARSEGPT -> "SparseGPT";
        };
    }

    /** What the method needs, said before the user runs into it. */
    static String methodNote(PruneMethod m, SweepText text) {
        return switch (m) {
            case MAGNITUDE -> "Magnitude removes the smallest |w|: it needs no calibration text.";
            case WANDA -> text == null
                    ? "Wanda ranks each weight by |w|·‖x‖, the norm of its input over a calibration text: choose one."
                    : "Wanda ranks each weight by |w|·‖x‖, its input's norm over " + text.name() + ".";
            case SPARSEGPT -> text == null
                    ? "SparseGPT needs a calibration text: it updates the kept weights from the inputs' statistics."
                    : "SparseGPT updates the weights it keeps from the inputs over " + text.name()
                      + ": press Prune model (a pass over the whole model).";
        };
    }

    /** Whether the method can run with the calibration chosen. */
    public boolean methodAvailable(PruneMethod m) {
        return !m.calibrated() || calibration.get() != null;
    }

    // ---- preview, run, export ----

    /** Starts previewing; until the page is first shown nothing is pruned. Idempotent. */
    public void start() {
        if (started) return;
        started = true;
        requestPreview();
    }

    private void requestPreview() {
        if (!started) return;
        ModelPlan p = plan.get();
        String name = selectedTensor.get();
        if (p == null || name == null || !planProblem.get().isEmpty()) {
            preview.reset();
            return;
        }
        SweepText text = calibration.get();
        previewFor = choiceKey(p, name);
        preview.submit("Pruning " + name, m -> session.read(() ->
                PruneWork.preview(session.model(), p, name, calibrationOf(text), m)));
    }

    /** Prunes the whole model as planned (SparseGPT's and Wanda's calibration pass included), then measures it. */
    public void runPlan() {
        ModelPlan p = plan.get();
        if (p == null || !planProblem.get().isEmpty()) return;
        SweepText text = calibration.get();
        AfterPruning a = after.get();
        run.submit("Pruning the model", m -> session.read(() ->
                PruneWork.run(session.model(), p, a, calibrationOf(text), calibrationName(text), m)));
    }

    /** Exports the current plan to {@code target} through the engine's {@link ModelExport}, with the calibration. */
    public void exportTo(Path target, ExportOptions options) {
        ModelPlan p = plan.get();
        if (p == null || !planProblem.get().isEmpty()) return;
        SweepText text = calibration.get();
        export.submit("Exporting " + target.getFileName(), m -> session.read(() -> {
            try {
                ExportResult r = ModelExport.export(session.model(), p.recipe(), target,
                        options.withCalibration(calibrationOf(text)), m);
                long zeros = 0, stored = 0, all = 0;
                for (var t : r.pruned()) {
                    zeros += t.zeros();
                    stored += t.storedZeros().orElse(t.zeros());
                    all += t.parameters();
                }
                return new ExportOutcome(r.output(), r.fileBytes(), all == 0 ? 0 : (double) zeros / all,
                        all == 0 ? 0 : (double) stored / all);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }));
    }

    /** Reads the calibration text on the worker (the bundled one is 40 KB; a chosen file is read once per job). */
    private static PruneCalibration calibrationOf(SweepText text) {
        if (text == null) return PruneCalibration.NONE;
        try {
            return PruneCalibration.ofText(text.readAll());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String calibrationName(SweepText text) { return text == null ? "" : text.name(); }

    /** The run's result for the current choice, if the last run was of it. */
    public Optional<PruneRun> currentRun() {
        PruneRun r = lastRun.get();
        ModelPlan p = plan.get();
        if (r == null || p == null || !r.recipe().equals(p.recipe())
                || !r.calibration().equals(calibrationName(calibration.get()))) {
            return Optional.empty();
        }
        return Optional.of(r);
    }

    /** The selected tensor as measured by the current run, else as previewed. */
    private void refreshShown() {
        String name = selectedTensor.get();
        Optional<TensorResult> fromRun = currentRun().flatMap(r -> r.tensor(name));
        if (fromRun.isPresent()) {
            shown.set(fromRun.get());
        } else if (preview.state() instanceof Async.Done<TensorResult>(TensorResult t)
                && choiceKey(plan.get(), name).equals(previewFor)) {
            shown.set(t);
        } else {
            shown.set(null);
        }
    }

    /** What a preview depends on: the recipe, the calibration text and the tensor. */
    private record PreviewKey(Recipe recipe, String calibration, String tensor) {}

    private PreviewKey choiceKey(ModelPlan p, String tensor) {
        return new PreviewKey(p == null ? null : p.recipe(), calibrationName(calibration.get()), tensor);
    }

    public void cancelAll() {
        debounce.stop();
        preview.reset();
        run.cancel();
        export.cancel();
    }

    // ---- properties ----

    public Model model() { return session.model(); }

    public ObjectProperty<PruneMethod> methodProperty() { return method; }

    public ObjectProperty<TargetKind> targetKindProperty() { return targetKind; }

    public IntegerProperty sparsityPercentProperty() { return sparsityPercent; }

    public BooleanProperty globalProperty() { return global; }

    public StringProperty nOfMProperty() { return nOfM; }

    public ObservableList<PruneRuleRow> rules() { return rules; }

    public List<AfterPruning> afterChoices() { return afterChoices; }

    public ObjectProperty<AfterPruning> afterProperty() { return after; }

    public ObjectProperty<SweepText> calibrationProperty() { return calibration; }

    /** The open model, for the panes the view hosts. */
    public ModelSession session() { return session; }

    /** The worker pool the view's jobs share. */
    public Executor executor() { return executor; }

    public ReadOnlyObjectProperty<ModelPlan> planProperty() { return plan.getReadOnlyProperty(); }

    public ModelPlan plan() { return plan.get(); }

    public ReadOnlyStringProperty planProblemProperty() { return planProblem.getReadOnlyProperty(); }

    public ReadOnlyStringProperty methodNoteProperty() { return methodNote.getReadOnlyProperty(); }

    /** The tensors a rule may prune, in model order. */
    public List<String> prunableTensors() { return prunable; }

    public ObjectProperty<String> selectedTensorProperty() { return selectedTensor; }

    public BackgroundJob<TensorResult> preview() { return preview; }

    public BackgroundJob<PruneRun> run() { return run; }

    public BackgroundJob<ExportOutcome> export() { return export; }

    public ReadOnlyObjectProperty<PruneRun> lastRunProperty() { return lastRun.getReadOnlyProperty(); }

    /** What the tensor views show: the run's measurement, the preview, or null while neither is ready. */
    public ReadOnlyObjectProperty<TensorResult> shownProperty() { return shown.getReadOnlyProperty(); }

    public Activity activity() { return activity; }
}
