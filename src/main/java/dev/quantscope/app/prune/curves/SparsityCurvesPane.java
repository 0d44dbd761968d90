package dev.quantscope.app.prune.curves;

import dev.quantscope.app.common.Async;
import dev.quantscope.app.common.BackgroundJob;
import dev.quantscope.app.common.StatePane;
import dev.quantscope.app.common.Workers;
import dev.quantscope.app.document.ModelSession;
import dev.quantscope.eval.prune.SensitivityUnit;
import dev.quantscope.prune.PruneMethod;
import javafx.beans.binding.Bindings;
import javafx.collections.ListChangeListener;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.TextField;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;

import java.util.concurrent.Executor;

/**
 * What sparsity costs on the open model: the sparsity curves (x sparsity, y KL divergence or perplexity, one line
 * per method, N:M points as diamonds) and the per-layer sensitivity bars (one bar per tensor or block, the tallest
 * the ones to spare), each run in the background with progress and Cancel. Built in code so a host page (the Prune
 * view) only places it: {@code new SparsityCurvesPane(session, calibrationText)}.
 */
public final class SparsityCurvesPane extends VBox {
    private static final double CHART_HEIGHT = 330;

    private final SparsityCurvesViewModel vm;
    private final SparsityCurveChart curveChart = new SparsityCurveChart();
    private final SensitivityChart sensitivityChart = new SensitivityChart();
    private final StatePane curveState;
    private final StatePane sensitivityState;

    /**
     * On the GUI's worker pool.
     * @param session         the open model
     * @param calibrationText what Wanda and SparseGPT prune from ("" or null: the bundled sample after the measured part)
     */
    public SparsityCurvesPane(ModelSession session, String calibrationText) {
        this(new SparsityCurvesViewModel(session, calibrationText, Workers.newPool()));
    }

    public SparsityCurvesPane(ModelSession session, String calibrationText, Executor executor) {
        this(new SparsityCurvesViewModel(session, calibrationText, executor));
    }

    private SparsityCurvesPane(SparsityCurvesViewModel vm) {
        this.vm = vm;
        setSpacing(8);
        setPadding(new Insets(14));
        getStyleClass().add("sparsity-curves");
        setId("sparsityCurvesPane");

        curveState = new StatePane(curveChart.viewer(), "Run to prune the model to each sparsity with each method "
                + "and measure how far it moves from the dense model.", "Cancelled. Run again to measure the curves.");
        sensitivityState = new StatePane(sensitivityChart.viewer(), "Run to prune one tensor or block at a time: the "
                + "tall bars are the layers to spare.", "Cancelled. Run again to scan the layers.");

        getChildren().addAll(title("SPARSITY CURVES"), curveControls(), problem(vm.problemProperty()),
                chartHost(curveState), note("Measured on the first " + SparsityCurvesViewModel.MEASURED_KB
                        + " KB of the bundled Shakespeare against the dense model; Wanda and SparseGPT calibrate on "
                        + "another text. Diamonds are N:M patterns, at their sparsity."),
                title("PER-LAYER SENSITIVITY"), sensitivityControls(), problem(vm.sensitivityProblemProperty()),
                chartHost(sensitivityState));

        vm.points().addListener((ListChangeListener<Object>) _ -> redrawCurves());
        vm.metricProperty().addListener((_, _, _) -> redrawCurves());
        vm.curvesJob().stateProperty().addListener((_, _, _) -> redrawCurves());
        vm.sensitivity().addListener((ListChangeListener<Object>) _ -> redrawSensitivity());
        vm.sensitivityJob().stateProperty().addListener((_, _, _) -> redrawSensitivity());
        sceneProperty().addListener((_, _, scene) -> { if (scene == null) vm.cancelAll(); });
    }

    /** The state behind the pane (for the host and tests). */
    public SparsityCurvesViewModel viewModel() { return vm; }

    private Node curveControls() {
        HBox methods = new HBox(10);
        methods.setAlignment(Pos.CENTER_LEFT);
        for (PruneMethod m : PruneMethod.values()) {
            CheckBox box = new CheckBox(m.id());
            box.setId("curveMethod-" + m.id());
            box.selectedProperty().bindBidirectional(vm.methodProperty(m));
            methods.getChildren().add(box);
        }
        TextField sparsities = new TextField();
        sparsities.setId("curveSparsities");
        sparsities.setPrefColumnCount(16);
        sparsities.textProperty().bindBidirectional(vm.sparsitiesProperty());
        ComboBox<CurveMetric> metric = new ComboBox<>();
        metric.setId("curveMetric");
        metric.getItems().setAll(CurveMetric.values());
        metric.valueProperty().bindBidirectional(vm.metricProperty());
        HBox settings = row(methods, new Label("Sparsities"), sparsities, new Label("Show"), metric);
        return new VBox(6, settings, jobRow("curves", vm.curvesJob(), vm::runCurves, "point"));
    }

    private Node sensitivityControls() {
        ComboBox<PruneMethod> method = new ComboBox<>();
        method.setId("sensitivityMethod");
        method.getItems().setAll(PruneMethod.values());
        method.valueProperty().bindBidirectional(vm.sensitivityMethodProperty());
        method.setConverter(new javafx.util.StringConverter<>() {
            @Override public String toString(PruneMethod m) { return m == null ? "" : m.id(); }
            @Override public PruneMethod fromString(String s) { return PruneMethod.parse(s); }
        });
        TextField sparsity = new TextField();
        sparsity.setId("sensitivitySparsity");
        sparsity.setPrefColumnCount(5);
        sparsity.textProperty().bindBidirectional(vm.sensitivitySparsityProperty());
        ComboBox<SensitivityUnit> unit = new ComboBox<>();
        unit.setId("sensitivityUnit");
        unit.getItems().setAll(SensitivityUnit.values());
        unit.valueProperty().bindBidirectional(vm.sensitivityUnitProperty());
        unit.setConverter(new javafx.util.StringConverter<>() {
            @Override public String toString(SensitivityUnit u) { return u == null ? "" : "one " + u.id() + " at a time"; }
            @Override public SensitivityUnit fromString(String s) { return SensitivityUnit.parse(s); }
        });
        HBox settings = row(new Label("Method"), method, new Label("Sparsity"), sparsity, unit);
        return new VBox(6, settings, jobRow("sensitivity", vm.sensitivityJob(), vm::runSensitivity, "unit"));
    }

    /** Run, Cancel, a progress bar while it runs and a status line: the same for both jobs. */
    private static HBox jobRow(String id, BackgroundJob<?> job, Runnable run, String unit) {
        Button runButton = new Button("Run");
        runButton.setId(id + "RunButton");
        runButton.getStyleClass().add("accent");
        runButton.setOnAction(_ -> run.run());
        Button cancel = new Button("Cancel");
        cancel.setId(id + "CancelButton");
        cancel.setOnAction(_ -> job.cancel());
        cancel.disableProperty().bind(job.runningProperty().not());
        ProgressBar progress = new ProgressBar();
        progress.setPrefWidth(160);
        progress.visibleProperty().bind(job.runningProperty());
        progress.progressProperty().bind(job.progressProperty());
        Label status = new Label();
        status.setId(id + "Status");
        status.getStyleClass().add("muted");
        return row(runButton, cancel, progress, status);
    }

    private void redrawCurves() {
        curveChart.show(vm.curves(), vm.metricProperty().get());
        setStatus("curvesStatus", SparsityCurvesViewModel.describe(vm.curvesJob().state(), vm.points().size(), "point"));
        curveState.show(shown(vm.points().isEmpty(), vm.curvesJob().state()));
    }

    private void redrawSensitivity() {
        sensitivityChart.show(vm.sensitivity());
        setStatus("sensitivityStatus", SparsityCurvesViewModel.describe(vm.sensitivityJob().state(),
                vm.sensitivity().size(), "unit"));
        sensitivityState.show(shown(vm.sensitivity().isEmpty(), vm.sensitivityJob().state()));
    }

    /** Points stream in while a job runs: the chart shows from the first one on, not only at the end. */
    private static Async<?> shown(boolean empty, Async<?> state) {
        if (!empty && !(state instanceof Async.Failed<?>)) return new Async.Done<>(Boolean.TRUE);
        return state;
    }

    private void setStatus(String id, String text) {
        if (lookup("#" + id) instanceof Label l) l.setText(text);
    }

    private static HBox row(Node... nodes) {
        HBox box = new HBox(8, nodes);
        box.setAlignment(Pos.CENTER_LEFT);
        for (Node n : nodes) if (n instanceof Label l && "".equals(l.getText())) HBox.setHgrow(l, Priority.ALWAYS);
        return box;
    }

    private static Label title(String text) {
        Label l = new Label(text);
        l.getStyleClass().add("section-title");
        return l;
    }

    private static Label note(String text) {
        Label l = new Label(text);
        l.getStyleClass().add("muted");
        l.setWrapText(true);
        return l;
    }

    private static Label problem(javafx.beans.value.ObservableStringValue text) {
        Label l = new Label();
        l.getStyleClass().add("state-error");
        l.setWrapText(true);
        l.textProperty().bind(text);
        l.visibleProperty().bind(Bindings.isNotEmpty(l.textProperty()));
        l.managedProperty().bind(l.visibleProperty());
        return l;
    }

    private static StackPane chartHost(StatePane state) {
        StackPane host = new StackPane(state);
        host.setMinHeight(CHART_HEIGHT);
        host.setPrefHeight(CHART_HEIGHT);
        return host;
    }

    SparsityCurveChart curveChart() { return curveChart; }

    SensitivityChart sensitivityChart() { return sensitivityChart; }
}
