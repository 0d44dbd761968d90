package dev.quantscope.app.prune;

import dev.quantscope.app.prune.curves.SparsityCurvesPane;
import dev.quantscope.app.common.Async;
import dev.quantscope.app.common.FxController;
import dev.quantscope.app.common.Numbers;
import dev.quantscope.app.common.StatePane;
import dev.quantscope.app.compress.ExportDialog;
import dev.quantscope.app.compress.ExportFolders;
import dev.quantscope.eval.sweep.SweepText;
import dev.quantscope.format.gguf.GgufFile;
import dev.quantscope.pipeline.plan.ModelPlan;
import dev.quantscope.pipeline.plan.TensorPlan;
import dev.quantscope.prune.PruneMethod;
import javafx.collections.FXCollections;
import javafx.fxml.FXML;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.RadioButton;
import javafx.scene.control.Slider;
import javafx.scene.control.Spinner;
import javafx.scene.control.SpinnerValueFactory;
import javafx.scene.control.Tab;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.control.Tooltip;
import javafx.scene.control.cell.ComboBoxTableCell;
import javafx.scene.control.cell.TextFieldTableCell;
import javafx.scene.layout.HBox;
import javafx.scene.layout.StackPane;
import javafx.stage.FileChooser;
import javafx.util.StringConverter;

import java.io.File;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** Binds the Prune page to its {@link PruneViewModel}. */
public final class PruneController implements FxController {
    private final PruneViewModel vm;
    private final ExportFolders exportFolders = ExportFolders.standard();
    private final PruneCharts.Histogram histogram = new PruneCharts.Histogram();
    private final PruneCharts.SparsityBars bars = new PruneCharts.SparsityBars();
    private final MaskView maskView = new MaskView();
    private final Label maskNote = new Label();

    @FXML private Label sparsityReadout;
    @FXML private Label sparsityDetail;
    @FXML private Label denseSizeLabel;
    @FXML private Label sparseSizeLabel;
    @FXML private Button pruneRunButton;
    @FXML private HBox runProgressBox;
    @FXML private ProgressBar runProgress;
    @FXML private Button runCancelButton;
    @FXML private Label runStatus;
    @FXML private Button pruneExportButton;
    @FXML private HBox pruneExportProgressBox;
    @FXML private ProgressBar pruneExportProgress;
    @FXML private Button pruneExportCancelButton;
    @FXML private Label pruneExportStatus;
    @FXML private ComboBox<PruneMethod> methodCombo;
    @FXML private Label methodNote;
    @FXML private RadioButton sparsityRadio;
    @FXML private RadioButton nOfMRadio;
    @FXML private Slider sparsitySlider;
    @FXML private Spinner<Integer> sparsitySpinner;
    @FXML private CheckBox globalCheck;
    @FXML private ComboBox<String> nOfMCombo;
    @FXML private Label pruneProblemLabel;
    @FXML private Button pruneAddRuleButton;
    @FXML private Button pruneRemoveRuleButton;
    @FXML private TableView<PruneRuleRow> pruneRulesTable;
    @FXML private TableColumn<PruneRuleRow, String> prunePatternColumn;
    @FXML private TableColumn<PruneRuleRow, String> targetColumn;
    @FXML private TableColumn<PruneRuleRow, PruneMethod> ruleMethodColumn;
    @FXML private ComboBox<AfterPruning> afterCombo;
    @FXML private Label calibrationLabel;
    @FXML private Button pruneChooseTextButton;
    @FXML private Button bundledTextButton;
    @FXML private Button noTextButton;
    @FXML private ComboBox<String> pruneTensorCombo;
    @FXML private Label tensorSparsity;
    @FXML private HBox pruneActivityBox;
    @FXML private Label pruneActivityLabel;
    @FXML private ProgressBar pruneActivityProgress;
    @FXML private Button pruneCancelButton;
    @FXML private StackPane pruneHistogramHost;
    @FXML private StackPane maskHost;
    @FXML private Label maskHover;
    @FXML private Label tensorSizes;
    @FXML private StackPane barsHost;
    @FXML private StackPane curvesHost;
    @FXML private Tab curvesTab;
    private SparsityCurvesPane curves;

    private StatePane histogramState;
    private StatePane maskState;

    public PruneController(PruneViewModel vm) {
        this.vm = vm;
    }

    @FXML
    private void initialize() {
        setUpMethod();
        setUpTarget();
        setUpRules();
        setUpAfterAndCalibration();
        setUpTensorViews();
        setUpRunAndExport();
        setUpCurves();
        vm.planProperty().addListener((_, _, _) -> showPlan());
        vm.lastRunProperty().addListener((_, _, _) -> showPlan());
        vm.afterProperty().addListener((_, _, _) -> showPlan());
        vm.calibrationProperty().addListener((_, _, _) -> showPlan());
        showPlan();
    }

    // ---- the choice ----

    private void setUpMethod() {
        methodCombo.setItems(FXCollections.observableArrayList(PruneMethod.values()));
        methodCombo.setConverter(converter(PruneController::methodName));
        methodCombo.setCellFactory(_ -> new MethodCell());
        methodCombo.setValue(vm.methodProperty().get());
        methodCombo.valueProperty().addListener((_, _, m) -> { if (m != null) vm.methodProperty().set(m); });
        vm.methodProperty().addListener((_, _, m) -> methodCombo.setValue(m));
        methodNote.textProperty().bind(vm.methodNoteProperty());
    }

    /** Without a calibration text the calibrated methods cannot run: listed, greyed, and said why. */
    private final class MethodCell extends ListCell<PruneMethod> {
        @Override
        protected void updateItem(PruneMethod m, boolean empty) {
            super.updateItem(m, empty);
            setText(empty || m == null ? null : methodName(m));
            boolean off = m != null && !vm.methodAvailable(m);
            setDisable(off);
            setTooltip(off ? new Tooltip(PruneViewModel.methodNote(m, null)) : null);
        }
    }

    /** The method's name with what it ranks by, for the chooser. */
    static String methodName(PruneMethod m) {
        return PruneViewModel.methodName(m) + switch (m) {
            case MAGNITUDE -> " (smallest |w|)";
            case WANDA -> " (|w| · input norm)";
            case SPARSEGPT -> " (prune and update)";
        };
    }

    private void setUpTarget() {
        sparsitySpinner.setValueFactory(new SpinnerValueFactory.IntegerSpinnerValueFactory(0, PruneViewModel.MAX_PERCENT,
                vm.sparsityPercentProperty().get(), 5));
        sparsitySlider.setMax(PruneViewModel.MAX_PERCENT);
        sparsitySlider.setValue(vm.sparsityPercentProperty().get());
        sparsitySlider.valueProperty().addListener((_, _, v) -> vm.sparsityPercentProperty().set((int) Math.round(v.doubleValue())));
        sparsitySpinner.valueProperty().addListener((_, _, v) -> { if (v != null) vm.sparsityPercentProperty().set(v); });
        vm.sparsityPercentProperty().addListener((_, _, v) -> {
            sparsitySlider.setValue(v.intValue());
            sparsitySpinner.getValueFactory().setValue(v.intValue());
        });
        sparsityRadio.setSelected(vm.targetKindProperty().get() == PruneViewModel.TargetKind.SPARSITY);
        nOfMRadio.setSelected(vm.targetKindProperty().get() == PruneViewModel.TargetKind.N_OF_M);
        sparsityRadio.selectedProperty().addListener((_, _, on) -> { if (on) vm.targetKindProperty().set(PruneViewModel.TargetKind.SPARSITY); });
        nOfMRadio.selectedProperty().addListener((_, _, on) -> { if (on) vm.targetKindProperty().set(PruneViewModel.TargetKind.N_OF_M); });
        vm.targetKindProperty().addListener((_, _, k) -> {
            sparsityRadio.setSelected(k == PruneViewModel.TargetKind.SPARSITY);
            nOfMRadio.setSelected(k == PruneViewModel.TargetKind.N_OF_M);
        });
        sparsitySlider.disableProperty().bind(nOfMRadio.selectedProperty());
        sparsitySpinner.disableProperty().bind(nOfMRadio.selectedProperty());
        globalCheck.selectedProperty().bindBidirectional(vm.globalProperty());
        globalCheck.disableProperty().bind(nOfMRadio.selectedProperty()
                .or(vm.methodProperty().isNotEqualTo(PruneMethod.MAGNITUDE)));
        nOfMCombo.setItems(FXCollections.observableArrayList(PruneViewModel.N_OF_M_CHOICES));
        nOfMCombo.valueProperty().bindBidirectional(vm.nOfMProperty());
        nOfMCombo.disableProperty().bind(sparsityRadio.selectedProperty());
        pruneProblemLabel.textProperty().bind(vm.planProblemProperty());
        pruneProblemLabel.managedProperty().bind(vm.planProblemProperty().isNotEmpty());
        pruneProblemLabel.visibleProperty().bind(vm.planProblemProperty().isNotEmpty());
    }

    private void setUpRules() {
        prunePatternColumn.setCellValueFactory(c -> c.getValue().patternProperty());
        prunePatternColumn.setCellFactory(TextFieldTableCell.forTableColumn());
        targetColumn.setCellValueFactory(c -> c.getValue().targetProperty());
        targetColumn.setCellFactory(_ -> {
            ComboBoxTableCell<PruneRuleRow, String> cell = new ComboBoxTableCell<>(FXCollections.observableArrayList(
                    PruneRuleRow.DENSE, "25%", "50%", "75%", "2:4", "4:8"));
            cell.setComboBoxEditable(true); // any sparsity or N:M may be typed
            return cell;
        });
        ruleMethodColumn.setCellValueFactory(c -> c.getValue().methodProperty());
        ruleMethodColumn.setCellFactory(ComboBoxTableCell.forTableColumn(converter(PruneMethod::id), PruneMethod.values()));
        pruneRulesTable.setItems(vm.rules());
        pruneRulesTable.setPlaceholder(new Label("No rules: the target applies to every prunable tensor"));
        pruneAddRuleButton.setOnAction(_ -> vm.rules().add(new PruneRuleRow("blk.*.attn_v.weight", PruneRuleRow.DENSE,
                vm.methodProperty().get())));
        pruneRemoveRuleButton.disableProperty().bind(pruneRulesTable.getSelectionModel().selectedItemProperty().isNull());
        pruneRemoveRuleButton.setOnAction(_ -> vm.rules().remove(pruneRulesTable.getSelectionModel().getSelectedItem()));
    }

    private void setUpAfterAndCalibration() {
        afterCombo.setItems(FXCollections.observableArrayList(vm.afterChoices()));
        afterCombo.setConverter(converter(AfterPruning::label));
        afterCombo.valueProperty().bindBidirectional(vm.afterProperty());
        calibrationLabel.textProperty().bind(javafx.beans.binding.Bindings.createStringBinding(() -> {
            SweepText t = vm.calibrationProperty().get();
            return t == null ? "None: magnitude only." : t.name() + " (the first 2,048 tokens)";
        }, vm.calibrationProperty()));
        pruneChooseTextButton.setOnAction(_ -> chooseText());
        bundledTextButton.setOnAction(_ -> vm.calibrationProperty().set(SweepText.bundled()));
        noTextButton.setOnAction(_ -> vm.calibrationProperty().set(null));
        // The calibrated methods are greyed in the list without a text; a method already chosen says what it needs.
        vm.calibrationProperty().addListener((_, _, _) -> methodCombo.setCellFactory(_ -> new MethodCell()));
    }

    private void chooseText() {
        FileChooser chooser = new FileChooser();
        chooser.setTitle("Calibration text");
        chooser.getExtensionFilters().addAll(new FileChooser.ExtensionFilter("Text", "*.txt", "*.md"),
                new FileChooser.ExtensionFilter("Any file", "*"));
        File f = chooser.showOpenDialog(window());
        if (f != null) vm.calibrationProperty().set(new SweepText.FromFile(f.toPath()));
    }

    // ---- the selected tensor ----

    private void setUpTensorViews() {
        pruneTensorCombo.setItems(FXCollections.observableArrayList(vm.prunableTensors()));
        pruneTensorCombo.setCellFactory(_ -> new TensorCell());
        pruneTensorCombo.setButtonCell(new TensorCell());
        pruneTensorCombo.valueProperty().bindBidirectional(vm.selectedTensorProperty());
        pruneTensorCombo.setPlaceholder(new Label("This model has no tensor a rule may prune"));
        pruneActivityBox.visibleProperty().bind(vm.activity().busyProperty());
        pruneActivityLabel.textProperty().bind(vm.activity().messageProperty());
        pruneActivityProgress.progressProperty().bind(vm.activity().progressProperty());
        pruneCancelButton.setOnAction(_ -> vm.activity().cancelAll());

        histogramState = new StatePane(histogram.viewer(), "Pick a tensor");
        pruneHistogramHost.getChildren().add(histogramState);
        maskNote.getStyleClass().add("muted");
        maskNote.setWrapText(true);
        maskNote.setMaxWidth(380);
        maskNote.setId("maskNote");
        StackPane maskStack = new StackPane(maskView, maskNote);
        maskState = new StatePane(maskStack, "Pick a tensor");
        maskHost.getChildren().add(maskState);
        maskView.setId("maskView");
        maskHover.textProperty().bind(maskView.hoverTextProperty());
        // The plan is known at once, so the bars always have something to show: no state pane around them.
        barsHost.getChildren().add(bars.viewer());

        vm.shownProperty().addListener((_, _, _) -> showTensor());
        vm.preview().stateProperty().addListener((_, _, _) -> showTensor());
        vm.planProblemProperty().addListener((_, _, _) -> showTensor());
        showTensor();
    }

    /** A tensor with its planned target beside the name. */
    private final class TensorCell extends ListCell<String> {
        @Override
        protected void updateItem(String name, boolean empty) {
            super.updateItem(name, empty);
            if (empty || name == null) {
                setText(null);
                return;
            }
            ModelPlan p = vm.plan();
            Optional<TensorPlan> t = p == null ? Optional.empty() : p.tensor(name);
            setText(name + t.map(x -> x.pruning().map(r -> "  ·  " + r.label())
                    .orElse(x.problem().isPresent() ? "  ·  cannot be pruned" : "  ·  dense")).orElse(""));
        }
    }

    private void showTensor() {
        TensorResult r = vm.shownProperty().get();
        Async<?> state;
        if (r != null) {
            state = new Async.Done<>(r);
        } else if (!vm.planProblemProperty().get().isEmpty()) {
            state = new Async.Failed<>("Nothing to preview: " + lowerFirst(vm.planProblemProperty().get()));
        } else if (vm.preview().state() instanceof Async.Done<?>) {
            state = new Async.Running<>(); // a result for an earlier choice: the one for this choice is coming
        } else {
            state = vm.preview().state();
        }
        histogramState.show(state);
        maskState.show(state);
        if (r == null) {
            histogram.clear();
            maskView.show(null);
            tensorSparsity.setText("");
            tensorSizes.setText("");
            return;
        }
        histogram.show(r);
        maskView.show(r.mask().orElse(null));
        maskNote.setText(r.note());
        maskNote.setVisible(r.mask().isEmpty());
        tensorSparsity.setText(r.sparsity().map(s -> String.format(Locale.ROOT, "%.1f %% pruned (%s)", s * 100,
                r.measured() ? "measured on the pruned model" : "preview")).orElse(""));
        tensorSizes.setText(r.storage().map(s -> "This mask stored sparse: " + SparseSizes.layouts(List.of(s)))
                .orElse(""));
    }

    private static String lowerFirst(String s) {
        return s.isEmpty() ? s : Character.toLowerCase(s.charAt(0)) + s.substring(1);
    }

    // ---- plan, run, export ----

    private void showPlan() {
        ModelPlan p = vm.plan();
        if (p == null) return;
        Optional<PruneRun> run = vm.currentRun();
        long pruned = 0;
        double zeros = 0;
        int tensors = 0;
        for (TensorPlan t : p.tensors()) {
            if (t.pruning().isEmpty()) continue;
            tensors++;
            pruned += t.elements();
            zeros += t.targetSparsity() * t.elements();
        }
        double sparsity = run.map(PruneRun::sparsity).orElse(pruned == 0 ? 0 : zeros / pruned);
        sparsityReadout.setText(String.format(Locale.ROOT, "%.1f %% sparse", sparsity * 100));
        long all = vm.model().tensors().stream().mapToLong(t -> t.parameters()).sum();
        sparsityDetail.setText(String.format(Locale.ROOT, "%s over %d tensors (%s of the model's %s weights); "
                        + "embeddings, output head and norms stay dense", run.isPresent() ? "Measured" : "Planned",
                tensors, Numbers.grouped(pruned), Numbers.grouped(all)));
        denseSizeLabel.setText(SparseSizes.dense(p.bytes(), vm.afterProperty().get()));
        sparseSizeLabel.setText(run.map(r -> "The real masks stored sparse: " + SparseSizes.layouts(
                r.tensors().stream().flatMap(t -> t.storage().stream()).toList()))
                .orElse("Prune model to see the sparse sizes of every tensor's real mask."));
        bars.show(p, run);
        pruneTensorCombo.setButtonCell(new TensorCell());
        showTensor();
    }

    private void setUpRunAndExport() {
        pruneRunButton.setOnAction(_ -> vm.runPlan());
        pruneRunButton.disableProperty().bind(vm.run().runningProperty().or(vm.planProblemProperty().isNotEmpty()));
        runProgressBox.visibleProperty().bind(vm.run().runningProperty());
        runProgressBox.managedProperty().bind(vm.run().runningProperty());
        runProgress.progressProperty().bind(vm.run().progressProperty());
        runCancelButton.setOnAction(_ -> vm.run().cancel());
        runStatus.managedProperty().bind(runStatus.textProperty().isNotEmpty());
        vm.run().stateProperty().addListener((_, _, s) -> showRun(s));

        pruneExportButton.setOnAction(_ -> chooseExportTarget());
        pruneExportButton.disableProperty().bind(vm.export().runningProperty().or(vm.planProblemProperty().isNotEmpty()));
        pruneExportProgressBox.visibleProperty().bind(vm.export().runningProperty());
        pruneExportProgressBox.managedProperty().bind(vm.export().runningProperty());
        pruneExportProgress.progressProperty().bind(vm.export().progressProperty());
        pruneExportCancelButton.setOnAction(_ -> vm.export().cancel());
        pruneExportStatus.managedProperty().bind(pruneExportStatus.textProperty().isNotEmpty());
        vm.export().stateProperty().addListener((_, _, s) -> showExport(s));
    }

    private void showRun(Async<PruneRun> s) {
        runStatus.getStyleClass().remove("state-error");
        runStatus.setText(switch (s) {
            case Async.Idle<PruneRun> _, Async.Running<PruneRun> _ -> "";
            case Async.Done<PruneRun>(PruneRun r) -> String.format(Locale.ROOT,
                    "Pruned %d tensors: %.1f %% of their weights are zero%s.", r.tensors().size(), r.sparsity() * 100,
                    storedNote(r));
            case Async.Cancelled<PruneRun> _ -> "Cancelled: the model was not pruned.";
            case Async.Failed<PruneRun>(String message) -> "Pruning failed: " + message;
        });
        if (s instanceof Async.Failed<?>) runStatus.getStyleClass().add("state-error");
    }

    /** ", 48.2 % after Q4_K_M" when the run quantized after pruning. */
    private String storedNote(PruneRun r) {
        long stored = 0, all = 0;
        for (TensorResult t : r.tensors()) {
            if (t.storedZeros().isEmpty()) return "";
            stored += t.storedZeros().get();
            all += t.before().total();
        }
        return vm.afterProperty().get() instanceof AfterPruning.Quantized(var p) && all > 0
                ? String.format(Locale.ROOT, ", %.1f %% after %s", 100.0 * stored / all, p.name()) : "";
    }

    private void chooseExportTarget() {
        ModelPlan p = vm.plan();
        if (p == null) return;
        ExportDialog d = new ExportDialog(window(), vm.model().source(), p,
                vm.model().details() instanceof GgufFile, exportFolders.initialFor(vm.model().source()));
        d.setTitle("Export pruned model");
        d.showAndWait().ifPresent(r -> {
            exportFolders.remember(r.target());
            export(r.target(), r.options());
        });
    }

    /** Exports to {@code target}, refusing the input file itself. */
    public void export(Path target, dev.quantscope.pipeline.export.ExportOptions options) {
        Path source = vm.model().source().toAbsolutePath().normalize();
        if (target.toAbsolutePath().normalize().equals(source)) {
            pruneExportStatus.setText("Choose another file: that is the model being read.");
            return;
        }
        vm.exportTo(target, options);
    }

    private void showExport(Async<PruneViewModel.ExportOutcome> s) {
        pruneExportStatus.getStyleClass().remove("state-error");
        pruneExportStatus.setText(switch (s) {
            case Async.Idle<PruneViewModel.ExportOutcome> _, Async.Running<PruneViewModel.ExportOutcome> _ -> "";
            case Async.Done<PruneViewModel.ExportOutcome>(PruneViewModel.ExportOutcome o) -> String.format(Locale.ROOT,
                    "Wrote %s (%s): %.1f %% of the pruned weights are zero in the file (%.1f %% after pruning).",
                    o.file().getFileName(), Numbers.bytes(o.bytes()), o.sparsityStored() * 100, o.sparsityPruned() * 100);
            case Async.Cancelled<PruneViewModel.ExportOutcome> _ -> "Export cancelled: nothing was written.";
            case Async.Failed<PruneViewModel.ExportOutcome>(String message) -> "Export failed: " + message;
        });
        if (s instanceof Async.Failed<?>) pruneExportStatus.getStyleClass().add("state-error");
    }

    private javafx.stage.Window window() {
        return pruneRunButton.getScene() == null ? null : pruneRunButton.getScene().getWindow();
    }

    private static <T> StringConverter<T> converter(java.util.function.Function<T, String> f) {
        return new StringConverter<>() {
            @Override public String toString(T t) { return t == null ? "" : f.apply(t); }
            @Override public T fromString(String s) { return null; }
        };
    }

    /** The mask on screen (for tests and screenshots). */
    public MaskView maskView() { return maskView; }

    /**
     * The curves and sensitivity pane is made when its tab is first shown (its runs are long and on demand), and made
     * again when the calibration text changes; the pane it replaces cancels its work as it leaves the scene.
     */
    private void setUpCurves() {
        curvesTab.selectedProperty().addListener((_, _, on) -> { if (on && curves == null) showCurves(); });
        vm.calibrationProperty().addListener((_, _, _) -> { if (curves != null) showCurves(); });
    }

    private void showCurves() {
        curves = new SparsityCurvesPane(vm.session(), calibrationText(), vm.executor());
        curvesHost.getChildren().setAll(curves);
    }

    /** The chosen calibration text ("" for none: the pane then calibrates on the bundled sample's other part). */
    private String calibrationText() {
        SweepText t = vm.calibrationProperty().get();
        if (t == null) return "";
        try {
            return t.readAll();
        } catch (java.io.IOException e) {
            return "";
        }
    }

    /**
     * Where the sparsity curves and per-layer sensitivity pane goes (the "Sparsity curves" tab): set it as this
     * pane's only child, in place of the note that holds the place.
     */
    public StackPane curvesHost() { return curvesHost; }
}
