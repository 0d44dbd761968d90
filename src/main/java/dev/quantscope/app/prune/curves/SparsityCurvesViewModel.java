package dev.quantscope.app.prune.curves;

import dev.quantscope.app.common.Async;
import dev.quantscope.app.common.BackgroundJob;
import dev.quantscope.app.document.ModelSession;
import dev.quantscope.eval.prune.CalibrationSplit;
import dev.quantscope.eval.prune.LayerSensitivity;
import dev.quantscope.eval.prune.SensitivityPoint;
import dev.quantscope.eval.prune.SensitivityRequest;
import dev.quantscope.eval.prune.SensitivityResult;
import dev.quantscope.eval.prune.SensitivityUnit;
import dev.quantscope.eval.prune.SparsityCurve;
import dev.quantscope.eval.prune.SparsitySweep;
import dev.quantscope.eval.sweep.Sweep;
import dev.quantscope.eval.sweep.SweepCache;
import dev.quantscope.eval.sweep.SweepPoint;
import dev.quantscope.eval.sweep.SweepRequest;
import dev.quantscope.eval.sweep.SweepResult;
import dev.quantscope.eval.sweep.SweepScheme;
import dev.quantscope.eval.sweep.SweepText;
import dev.quantscope.prune.PruneMethod;
import dev.quantscope.prune.SparsityPattern;
import dev.quantscope.recipe.SparsityRule;
import javafx.application.Platform;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;

/**
 * State of the sparsity-curves pane of one open model: the sparsity sweep (sparsities × methods, each point pruned in
 * memory and measured against the dense model) and the per-layer sensitivity scan, each a background job with
 * progress and cancel whose points arrive while it runs. Both measure on the first
 * {@value #MEASURED_KB} KB of the bundled Shakespeare; Wanda and SparseGPT calibrate on the text the pane was given,
 * or, without one, on the bundled text after the measured part.
 */
public final class SparsityCurvesViewModel {
    static final int MEASURED_KB = 16;
    static final int CTX = 128;
    /** Windows a sensitivity scan measures each unit on: it prunes and compares once per tensor or block. */
    static final int SENSITIVITY_CHUNKS = 8;
    static final String DEFAULT_SPARSITIES = "0, 25%, 50%, 75%, 2:4";

    private final ModelSession session;
    private final String calibrationText;
    private final BackgroundJob<SweepResult> curvesJob;
    private final BackgroundJob<SensitivityResult> sensitivityJob;
    private final Map<PruneMethod, BooleanProperty> methods = new EnumMap<>(PruneMethod.class);
    private final StringProperty sparsities = new SimpleStringProperty(DEFAULT_SPARSITIES);
    private final ObjectProperty<CurveMetric> metric = new SimpleObjectProperty<>(CurveMetric.KLD);
    private final ObservableList<SweepPoint> points = FXCollections.observableArrayList();
    private List<SweepScheme> swept = List.of();
    private final ObjectProperty<PruneMethod> sensitivityMethod = new SimpleObjectProperty<>(PruneMethod.MAGNITUDE);
    private final StringProperty sensitivitySparsity = new SimpleStringProperty("50%");
    private final ObjectProperty<SensitivityUnit> sensitivityUnit = new SimpleObjectProperty<>(SensitivityUnit.BLOCK);
    private final ObservableList<SensitivityPoint> sensitivity = FXCollections.observableArrayList();
    private final ReadOnlyStringWrapper problem = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper sensitivityProblem = new ReadOnlyStringWrapper("");
    /** Points of older runs are dropped: a cancelled job may still hand one over. */
    private long curvesRun, sensitivityRun;

    /**
     * @param calibrationText what Wanda and SparseGPT prune from ("" or null: the bundled text after the measured part)
     */
    public SparsityCurvesViewModel(ModelSession session, String calibrationText, Executor executor) {
        this.session = session;
        this.calibrationText = calibrationText == null ? "" : calibrationText;
        this.curvesJob = new BackgroundJob<>(executor);
        this.sensitivityJob = new BackgroundJob<>(executor);
        for (PruneMethod m : PruneMethod.values()) methods.put(m, new SimpleBooleanProperty(true));
        sparsities.addListener((_, _, _) -> problem.set(""));
        sensitivitySparsity.addListener((_, _, _) -> sensitivityProblem.set(""));
    }

    /** The measured text and the calibration, read off the FX thread. */
    private CalibrationSplit texts() throws IOException {
        SweepText bundled = SweepText.bundled();
        long bytes = MEASURED_KB * 1024L;
        return calibrationText.isBlank() ? CalibrationSplit.after(bundled, bytes)
                : CalibrationSplit.of(bundled.read(bytes), calibrationText);
    }

    /** Starts the sparsity sweep with the current settings, replacing one in progress. */
    public void runCurves() {
        List<PruneMethod> chosen = Arrays.stream(PruneMethod.values()).filter(m -> methods.get(m).get()).toList();
        List<SparsityPattern> patterns;
        try {
            patterns = SparsitySweep.parsePatterns(Arrays.asList(sparsities.get().split("[,\\s]+")));
        } catch (IllegalArgumentException e) {
            problem.set(e.getMessage());
            return;
        }
        if (chosen.isEmpty() || patterns.stream().allMatch(p -> p.sparsity() == 0)) {
            problem.set("Tick at least one method and give a sparsity above 0 (50%, 0.5 or 2:4).");
            return;
        }
        problem.set("");
        List<SweepScheme> schemes = SparsitySweep.schemes(List.of(), patterns, chosen);
        long id = ++curvesRun;
        swept = schemes;
        points.clear();
        SweepCache cache = SweepCache.atDefaultLocation();
        curvesJob.submit("Pruning and measuring " + schemes.size() + " points", monitor -> session.read(() -> {
            try {
                CalibrationSplit texts = texts();
                SweepRequest request = SweepRequest.of(schemes, texts.measured(), CTX)
                        .withCalibration(texts.calibration());
                return Sweep.run(session.model(), request, cache, p -> Platform.runLater(() -> {
                    if (id == curvesRun) points.add(p);
                }), monitor);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }));
    }

    /** Starts the sensitivity scan with the current settings, replacing one in progress. */
    public void runSensitivity() {
        SparsityRule rule;
        try {
            rule = new SparsityRule(sensitivityMethod.get(), SparsityPattern.parse(sensitivitySparsity.get()));
            if (rule.pattern().sparsity() == 0) throw new IllegalArgumentException("Give a sparsity above 0 (50%, 2:4).");
        } catch (IllegalArgumentException e) {
            sensitivityProblem.set(e.getMessage());
            return;
        }
        sensitivityProblem.set("");
        long id = ++sensitivityRun;
        sensitivity.clear();
        SensitivityUnit unit = sensitivityUnit.get();
        sensitivityJob.submit("Pruning one " + unit.id() + " at a time", monitor -> session.read(() -> {
            try {
                CalibrationSplit texts = texts();
                SensitivityRequest request = new SensitivityRequest(rule, unit, texts.measured(), CTX,
                        SENSITIVITY_CHUNKS, texts.calibration(), Runtime.getRuntime().availableProcessors());
                return LayerSensitivity.run(session.model(), request, p -> Platform.runLater(() -> {
                    if (id == sensitivityRun) sensitivity.add(p);
                }), monitor);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }));
    }

    /** The curves of the points so far, one per method. */
    public List<SparsityCurve> curves() { return SparsityCurve.of(swept, new ArrayList<>(points)); }

    /** A status line for a job: how far it got, or why it stopped. */
    static String describe(Async<?> state, int delivered, String unit) {
        String n = delivered + " " + unit + (delivered == 1 ? "" : "s");
        return switch (state) {
            case Async.Idle<?> _ -> "";
            case Async.Running<?> _ -> n + " so far";
            case Async.Done<?> _ -> n + " measured";
            case Async.Cancelled<?> _ -> "Cancelled after " + n;
            case Async.Failed<?> f -> f.message();
        };
    }

    public void cancelAll() {
        curvesJob.reset();
        sensitivityJob.reset();
    }

    public BooleanProperty methodProperty(PruneMethod m) { return methods.get(m); }

    public StringProperty sparsitiesProperty() { return sparsities; }

    public ObjectProperty<CurveMetric> metricProperty() { return metric; }

    public ObservableList<SweepPoint> points() { return points; }

    public BackgroundJob<SweepResult> curvesJob() { return curvesJob; }

    public ObjectProperty<PruneMethod> sensitivityMethodProperty() { return sensitivityMethod; }

    public StringProperty sensitivitySparsityProperty() { return sensitivitySparsity; }

    public ObjectProperty<SensitivityUnit> sensitivityUnitProperty() { return sensitivityUnit; }

    public ObservableList<SensitivityPoint> sensitivity() { return sensitivity; }

    public BackgroundJob<SensitivityResult> sensitivityJob() { return sensitivityJob; }

    /** Why the sweep did not start, or "". */
    public ReadOnlyStringProperty problemProperty() { return problem.getReadOnlyProperty(); }

    /** Why the scan did not start, or "". */
    public ReadOnlyStringProperty sensitivityProblemProperty() { return sensitivityProblem.getReadOnlyProperty(); }
}
