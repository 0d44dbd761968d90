package dev.quantscope.app.compress;

import dev.quantscope.app.common.Async;
import dev.quantscope.app.common.FxController;
import dev.quantscope.app.common.LlamaCppSetting;
import dev.quantscope.app.common.Numbers;
import dev.quantscope.app.common.PresetApplicability;
import dev.quantscope.app.common.StatePane;
import dev.quantscope.pipeline.plan.ModelPlan;
import dev.quantscope.quant.preset.Preset;
import dev.quantscope.quant.preview.BlockWalkthrough;
import dev.quantscope.pipeline.plan.TensorPlan;
import dev.quantscope.quant.preview.TensorPreview;
import dev.quantscope.quant.preview.Walkthroughs;
import javafx.application.Platform;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.collections.FXCollections;
import javafx.fxml.FXML;
import javafx.geometry.Insets;
import javafx.scene.control.Alert;
import javafx.scene.control.Button;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.RadioButton;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.Spinner;
import javafx.scene.control.SpinnerValueFactory;
import javafx.scene.control.TabPane;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.control.cell.ComboBoxTableCell;
import javafx.scene.control.cell.TextFieldTableCell;
import javafx.scene.layout.HBox;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;
import javafx.stage.FileChooser;

import java.io.File;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** Binds the Compress page to its {@link CompressViewModel}. */
public final class CompressController implements FxController {
    /** What the trade-off views say when nothing is measured and nothing runs (before the first choice, after Cancel). */
    static final String NOT_MEASURED = "Not measured. Change the choice to measure it.";

    private final CompressViewModel vm;
    private final ExportFolders exportFolders = ExportFolders.standard();
    private final CompressCharts.Tradeoff tradeoffChart = new CompressCharts.Tradeoff();
    private final CompressCharts.PerTensor perTensorChart = new CompressCharts.PerTensor();
    private final CompressCharts.Overlay overlayChart = new CompressCharts.Overlay();
    private final CompressCharts.Errors errorChart = new CompressCharts.Errors();
    private final WalkthroughPane how = new WalkthroughPane();
    private final SchemeBuilder schemeBuilder = new SchemeBuilder();

    @FXML private Label sizeLabel;
    @FXML private Label bpwLabel;
    @FXML private Label fromLabel;
    @FXML private RadioButton presetRadio;
    @FXML private RadioButton customRadio;
    @FXML private ComboBox<Preset> presetCombo;
    @FXML private VBox schemeHost;
    @FXML private Button saveRecipeButton;
    @FXML private Button loadRecipeButton;
    @FXML private Label typeHint;
    @FXML private Button addRuleButton;
    @FXML private Button removeRuleButton;
    @FXML private TableView<RuleRow> rulesTable;
    @FXML private TableColumn<RuleRow, String> patternColumn;
    @FXML private TableColumn<RuleRow, String> schemeColumn;
    @FXML private Label problemLabel;
    @FXML private Button exportButton;
    @FXML private Label exportHint;
    @FXML private Label exportStatus;
    @FXML private javafx.scene.layout.VBox speedBox;
    @FXML private Button measureSpeedButton;
    @FXML private ProgressBar speedProgress;
    @FXML private Button speedCancelButton;
    @FXML private Label oursSpeedLabel;
    @FXML private Label llamaSpeedLabel;
    @FXML private Label speedNote;
    @FXML private HBox exportProgressBox;
    @FXML private ProgressBar exportProgress;
    @FXML private Button exportCancelButton;
    @FXML private ComboBox<String> tensorCombo;
    @FXML private Spinner<Integer> rowSpinner;
    @FXML private Spinner<Integer> blockSpinner;
    @FXML private HBox activityBox;
    @FXML private Label activityLabel;
    @FXML private ProgressBar activityProgress;
    @FXML private Button cancelButton;
    @FXML private TabPane compressTabs;
    @FXML private ComboBox<String> errorMetricCombo;
    @FXML private Label samplingLabel;
    @FXML private StackPane tradeoffHost;
    @FXML private StackPane perTensorHost;
    @FXML private StackPane overlayHost;
    @FXML private StackPane errorHost;
    @FXML private StackPane howHost;

    private StatePane tradeoffState;
    private StatePane perTensorState;
    private StatePane overlayState;
    private StatePane errorState;
    private StatePane howState;

    public CompressController(CompressViewModel vm) {
        this.vm = vm;
    }

    @FXML
    private void initialize() {
        presetCombo.setItems(FXCollections.observableArrayList(
                vm.presetChoices().stream().map(PresetApplicability::preset).toList()));
        presetCombo.setId("presetCombo");
        presetCombo.setCellFactory(_ -> new PresetCell(vm::refusalOf));
        presetCombo.setValue(vm.presetProperty().get());
        presetCombo.valueProperty().addListener((_, _, p) -> {
            // A refused preset cannot be clicked, but the keyboard can still reach it: then the choice stays.
            if (p != null && p != vm.presetProperty().get() && !vm.choosePreset(p)) {
                Platform.runLater(() -> presetCombo.setValue(vm.presetProperty().get()));
            }
        });
        vm.presetProperty().addListener((_, _, p) -> presetCombo.setValue(p));
        schemeHost.getChildren().add(schemeBuilder);
        schemeBuilder.schemeProperty().bindBidirectional(vm.customSchemeProperty());
        presetRadio.setSelected(vm.modeProperty().get() == CompressViewModel.Mode.PRESET);
        customRadio.setSelected(vm.modeProperty().get() == CompressViewModel.Mode.CUSTOM);
        presetRadio.selectedProperty().addListener((_, _, on) -> { if (on) vm.modeProperty().set(CompressViewModel.Mode.PRESET); });
        customRadio.selectedProperty().addListener((_, _, on) -> { if (on) vm.modeProperty().set(CompressViewModel.Mode.CUSTOM); });
        vm.modeProperty().addListener((_, _, m) -> {
            presetRadio.setSelected(m == CompressViewModel.Mode.PRESET);
            customRadio.setSelected(m == CompressViewModel.Mode.CUSTOM);
        });
        presetCombo.disableProperty().bind(customRadio.selectedProperty());
        // With no preset that applies (the page then opens on the custom scheme), there is nothing to switch to.
        presetRadio.setDisable(vm.presetChoices().stream().noneMatch(PresetApplicability::applies));
        schemeBuilder.disableProperty().bind(presetRadio.selectedProperty());
        removeRuleButton.disableProperty().bind(rulesTable.getSelectionModel().selectedItemProperty().isNull());

        patternColumn.setCellValueFactory(c -> c.getValue().patternProperty());
        patternColumn.setCellFactory(TextFieldTableCell.forTableColumn());
        schemeColumn.setCellValueFactory(c -> c.getValue().schemeProperty());
        schemeColumn.setCellFactory(_ -> {
            ComboBoxTableCell<RuleRow, String> cell = new ComboBoxTableCell<>(
                    FXCollections.observableArrayList(Targets.names()));
            cell.setComboBoxEditable(true); // any scheme id may be typed, e.g. int3-asym-g32-mse
            return cell;
        });
        rulesTable.setItems(vm.rules());
        rulesTable.setPlaceholder(new Label("No rules: the preset or scheme applies"));
        addRuleButton.setOnAction(_ -> vm.rules().add(new RuleRow("blk.*.ffn_down.weight", "ggml:Q6_K")));
        removeRuleButton.setOnAction(_ -> vm.rules().remove(rulesTable.getSelectionModel().getSelectedItem()));
        saveRecipeButton.setOnAction(_ -> chooseRecipeToSave());
        loadRecipeButton.setOnAction(_ -> chooseRecipeToLoad());
        problemLabel.textProperty().bind(vm.planProblemProperty());
        problemLabel.managedProperty().bind(vm.planProblemProperty().isNotEmpty());
        typeHint.textProperty().bind(vm.keptSummaryProperty());
        typeHint.managedProperty().bind(vm.keptSummaryProperty().isNotEmpty());

        vm.planProperty().addListener((_, _, p) -> showPlan(p));
        showPlan(vm.plan());

        tensorCombo.setItems(FXCollections.observableArrayList(
                vm.model().tensors().stream().map(t -> t.name()).toList()));
        tensorCombo.valueProperty().bindBidirectional(vm.selectedTensorProperty());
        // Picking the same tensor again after a cancel measures it again, as the cancelled view says.
        tensorCombo.showingProperty().addListener((_, _, showing) -> { if (!showing) vm.previewAgainIfCancelled(); });
        rowSpinner.setValueFactory(new SpinnerValueFactory.IntegerSpinnerValueFactory(0, 0, 0));
        blockSpinner.setValueFactory(new SpinnerValueFactory.IntegerSpinnerValueFactory(0, 0, 0));
        vm.selectedTensorProperty().addListener((_, _, _) -> fitSpinners());
        fitSpinners();
        rowSpinner.valueProperty().addListener((_, _, v) -> { if (v != null) vm.rowProperty().set(v); });
        blockSpinner.valueProperty().addListener((_, _, v) -> { if (v != null) vm.blockProperty().set(v); });
        vm.rowProperty().addListener((_, _, v) -> rowSpinner.getValueFactory().setValue(v.intValue()));
        vm.blockProperty().addListener((_, _, v) -> blockSpinner.getValueFactory().setValue(v.intValue()));

        activityBox.visibleProperty().bind(vm.activity().busyProperty());
        activityLabel.textProperty().bind(vm.activity().messageProperty());
        activityProgress.progressProperty().bind(vm.activity().progressProperty());
        cancelButton.setOnAction(_ -> vm.activity().cancelAll());

        errorMetricCombo.setItems(FXCollections.observableArrayList("SQNR (dB)", "weight MSE"));
        errorMetricCombo.getSelectionModel().select(vm.errorAsMseProperty().get() ? 1 : 0);
        errorMetricCombo.getSelectionModel().selectedIndexProperty().addListener((_, _, i) ->
                vm.errorAsMseProperty().set(i.intValue() == 1));
        samplingLabel.setText(vm.estimator().describeSampling());

        // Idle is never "busy": the spinner shows while work runs, and every end (done, failed, cancelled) says so.
        tradeoffState = host(tradeoffHost, tradeoffChart.viewer(), NOT_MEASURED);
        perTensorState = host(perTensorHost, perTensorChart.viewer(), NOT_MEASURED);
        overlayState = host(overlayHost, overlayChart.viewer(), "Pick a tensor");
        errorState = host(errorHost, errorChart.viewer(), "");
        ScrollPane howScroll = new ScrollPane(how);
        howScroll.setFitToWidth(true);
        howState = host(howHost, howScroll, "Pick a tensor");
        vm.tradeoff().stateProperty().addListener((_, _, s) -> showTradeoff(s));
        vm.planProblemProperty().addListener((_, _, _) -> showTradeoff(vm.tradeoff().state()));
        vm.errorAsMseProperty().addListener((_, _, _) -> showTradeoff(vm.tradeoff().state()));
        vm.preview().stateProperty().addListener((_, _, s) -> showPreview(s));
        vm.export().stateProperty().addListener((_, _, s) -> showExport(s));

        exportButton.setOnAction(_ -> chooseExportTarget());
        exportButton.disableProperty().bind(vm.export().runningProperty());
        exportProgressBox.visibleProperty().bind(vm.export().runningProperty());
        exportProgressBox.managedProperty().bind(vm.export().runningProperty());
        exportProgress.progressProperty().bind(vm.export().progressProperty());
        exportCancelButton.setOnAction(_ -> vm.export().cancel());
        exportStatus.managedProperty().bind(exportStatus.textProperty().isNotEmpty());
        setUpSpeed();
    }

    private static StatePane host(StackPane host, javafx.scene.Node content, String idle) {
        StatePane p = new StatePane(content, idle);
        host.getChildren().add(p);
        return p;
    }

    private void fitSpinners() {
        ModelPlan p = vm.plan();
        String name = vm.selectedTensorProperty().get();
        TensorPlan t = p == null || name == null ? null : p.tensor(name).orElse(null);
        int rows = t == null ? 1 : (int) Math.min(Integer.MAX_VALUE, Math.max(1, t.rows()));
        int blocks = t == null ? 1 : Walkthroughs.blocksPerRow(t.rowLength());
        rowSpinner.setValueFactory(new SpinnerValueFactory.IntegerSpinnerValueFactory(0, rows - 1, 0));
        blockSpinner.setValueFactory(new SpinnerValueFactory.IntegerSpinnerValueFactory(0, Math.max(0, blocks - 1), 0));
    }

    private void showPlan(ModelPlan p) {
        if (p == null) return;
        long source = vm.model().tensorBytes();
        sizeLabel.setText(Numbers.bytes(p.bytes()));
        bpwLabel.setText(String.format(Locale.ROOT, "%.3f bits per weight", p.bitsPerWeight()));
        fromLabel.setText(String.format(Locale.ROOT, "%s · %s bytes, %s of the source's %s", p.label(),
                Numbers.grouped(p.bytes()), Numbers.percent(source == 0 ? 0 : (double) p.bytes() / source),
                Numbers.bytes(source)));
        exportHint.setText(vm.ggufExportable()
                ? "GGUF for llama.cpp, or safetensors; written to a new file, never over the input."
                : "safetensors (dequantized, or packed integer codes); GGUF needs a GGUF source and ggml types.");
    }

    private void showTradeoff(Async<TradeoffResult> state) {
        Async<TradeoffResult> s = switch (state) {
            // Nothing measured because the choice cannot be planned: say why, rather than wait.
            case Async.Idle<TradeoffResult> _ when !vm.planProblemProperty().get().isEmpty() ->
                    new Async.Failed<>(vm.planProblemProperty().get());
            // The shared pane's cancel text speaks of tensors; the trade-off restarts with the next change.
            case Async.Cancelled<TradeoffResult> _ -> Async.idle();
            default -> state;
        };
        tradeoffState.show(s);
        perTensorState.show(s);
        if (s instanceof Async.Done<TradeoffResult>(TradeoffResult r)) {
            tradeoffChart.show(r, vm.errorAsMseProperty().get());
            perTensorChart.show(r.current());
            samplingLabel.setText(r.note());
        }
    }

    private void showPreview(Async<TensorPreview> s) {
        overlayState.show(s);
        errorState.show(s);
        howState.show(s);
        switch (s) {
            case Async.Done<TensorPreview>(TensorPreview p) -> {
                overlayChart.show(p);
                errorChart.show(p);
                vm.plan().tensor(p.tensor()).ifPresent(plan -> how.show(p.walkthrough(), plan));
            }
            default -> {
                overlayChart.clear();
                errorChart.clear();
            }
        }
    }

    // ---- recipes ----

    private void chooseRecipeToSave() {
        FileChooser chooser = recipeChooser("Save recipe");
        chooser.setInitialFileName(stem(vm.model().source()) + "-recipe.json");
        File f = chooser.showSaveDialog(window());
        if (f != null) saveRecipe(f.toPath());
    }

    private void chooseRecipeToLoad() {
        File f = recipeChooser("Load recipe").showOpenDialog(window());
        if (f != null) loadRecipe(f.toPath());
    }

    private FileChooser recipeChooser(String title) {
        FileChooser chooser = new FileChooser();
        chooser.setTitle(title);
        chooser.getExtensionFilters().add(new FileChooser.ExtensionFilter("QuantScope recipe (JSON)", "*.json"));
        chooser.setInitialDirectory(exportFolders.initialFor(vm.model().source()).toFile());
        return chooser;
    }

    /** Writes the page's choice as a recipe file the CLI reads too ({@code quantscope quantize --recipe}). */
    public void saveRecipe(Path file) {
        try {
            vm.saveRecipe(file);
        } catch (IllegalArgumentException | java.io.IOException e) {
            error("Recipe", "Could not save the recipe", dev.quantscope.failure.FailureDescriber.describe(e));
        }
    }

    /** Reads a recipe file onto the page: mode, preset or scheme, and rules. */
    public void loadRecipe(Path file) {
        try {
            vm.loadRecipe(file);
        } catch (IllegalArgumentException | java.io.IOException e) {
            error("Recipe", "Could not load " + file.getFileName(), dev.quantscope.failure.FailureDescriber.describe(e));
        }
    }

    private static String stem(Path source) {
        String name = source.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return (dot > 0 ? name.substring(0, dot) : name).replaceAll("(?i)-(f16|f32|bf16)$", "");
    }

    // ---- export ----

    private void chooseExportTarget() {
        ModelPlan p = vm.plan();
        if (p == null) return;
        ExportDialog d = new ExportDialog(window(), vm.model().source(), p,
                vm.model().details() instanceof dev.quantscope.format.gguf.GgufFile,
                exportFolders.initialFor(vm.model().source()));
        d.showAndWait().ifPresent(r -> {
            exportFolders.remember(r.target());
            export(r.target(), r.options(), r.imatrix());
        });
    }

    /** Exports to {@code target}, refusing the input file itself; {@code imatrix} may be null. */
    public void export(Path target, dev.quantscope.pipeline.export.ExportOptions options, Path imatrix) {
        Path source = vm.model().source().toAbsolutePath().normalize();
        if (target.toAbsolutePath().normalize().equals(source)) {
            error("Export", "Cannot overwrite the input", "Choose another file: the model being read is " + source);
            return;
        }
        vm.exportTo(target, options, imatrix);
    }

    /**
     * The exported file's speed: offered once an export is written, measured off the FX thread (progress, Cancel),
     * each figure labelled with the engine that measured it.
     */
    private void setUpSpeed() {
        speedBox.visibleProperty().bind(vm.export().stateProperty().map(s -> s instanceof Async.Done<?>));
        speedBox.managedProperty().bind(speedBox.visibleProperty());
        measureSpeedButton.setOnAction(_ -> vm.measureExportSpeed());
        measureSpeedButton.disableProperty().bind(vm.speed().runningProperty());
        speedProgress.visibleProperty().bind(vm.speed().runningProperty());
        speedCancelButton.visibleProperty().bind(vm.speed().runningProperty());
        speedCancelButton.setOnAction(_ -> vm.speed().cancel());
        vm.speed().stateProperty().addListener((_, _, s) -> showSpeed(s));
        vm.export().stateProperty().addListener((_, _, _) -> vm.speed().reset());
        for (Label l : List.of(oursSpeedLabel, llamaSpeedLabel, speedNote)) {
            l.managedProperty().bind(l.textProperty().isNotEmpty());
        }
        showSpeed(Async.idle());
    }

    private void showSpeed(Async<CompressViewModel.ExportSpeed> s) {
        oursSpeedLabel.setText("");
        llamaSpeedLabel.setText("");
        speedNote.getStyleClass().remove("state-error");
        speedNote.setText(switch (s) {
            case Async.Idle<CompressViewModel.ExportSpeed> _ -> String.format(Locale.ROOT, "pp%d and tg%d tokens/s "
                            + "of the written file, QuantScope's engine and, where found, llama.cpp's llama-bench.",
                    CompressViewModel.SPEED_PP, CompressViewModel.SPEED_TG);
            case Async.Running<CompressViewModel.ExportSpeed> _ -> "Measuring…";
            case Async.Cancelled<CompressViewModel.ExportSpeed> _ -> "Speed measurement cancelled.";
            case Async.Failed<CompressViewModel.ExportSpeed>(String message) -> message;
            case Async.Done<CompressViewModel.ExportSpeed>(CompressViewModel.ExportSpeed r) -> {
                oursSpeedLabel.setText(String.format(Locale.ROOT, "QuantScope: pp %.1f, tg %.1f tok/s, %s",
                        r.ours().promptTokensPerSecond(), r.ours().generationTokensPerSecond(), LlamaCppSetting.OURS));
                r.llamaCpp().ifPresent(t -> llamaSpeedLabel.setText(String.format(Locale.ROOT,
                        "llama.cpp: pp %.1f, tg %.1f tok/s, %s", t.pp(), t.tg(), LlamaCppSetting.THEIRS)));
                yield r.llamaCpp().isPresent()
                        ? String.format(Locale.ROOT, "Both: %d threads, F16 KV cache, medians of %d runs. "
                                + "QuantScope / llama.cpp: pp %.2f, tg %.2f.", r.ours().threads(),
                        CompressViewModel.SPEED_RUNS, r.ours().promptTokensPerSecond() / r.llamaCpp().get().pp(),
                        r.ours().generationTokensPerSecond() / r.llamaCpp().get().tg())
                        : r.llamaCppNote();
            }
        });
        if (s instanceof Async.Failed<?>) speedNote.getStyleClass().add("state-error");
    }

    private void showExport(Async<CompressViewModel.ExportOutcome> s) {
        exportStatus.getStyleClass().remove("state-error");
        exportStatus.setText(switch (s) {
            case Async.Idle<CompressViewModel.ExportOutcome> _ -> "";
            case Async.Running<CompressViewModel.ExportOutcome> _ -> "";
            case Async.Done<CompressViewModel.ExportOutcome>(CompressViewModel.ExportOutcome o) ->
                    "Wrote " + o.file().getFileName() + " (" + Numbers.bytes(o.bytes()) + ").";
            case Async.Cancelled<CompressViewModel.ExportOutcome> _ -> "Export cancelled: nothing was written.";
            case Async.Failed<CompressViewModel.ExportOutcome>(String message) -> "Export failed: " + message;
        });
        if (s instanceof Async.Failed<?>) exportStatus.getStyleClass().add("state-error");
        switch (s) {
            case Async.Done<CompressViewModel.ExportOutcome>(CompressViewModel.ExportOutcome o) -> {
                Alert a = new Alert(Alert.AlertType.INFORMATION, "Wrote " + o.file() + "\n" + Numbers.bytes(o.bytes())
                        + " (" + Numbers.grouped(o.bytes()) + " bytes)");
                a.initOwner(window());
                a.setTitle("Export finished");
                a.setHeaderText("Exported " + o.file().getFileName());
                a.getDialogPane().setId("exportDoneDialog");
                a.show();
            }
            case Async.Failed<CompressViewModel.ExportOutcome>(String message) -> error("Export", "Export failed", message);
            default -> { }
        }
    }

    private void error(String title, String header, String message) {
        Alert a = new Alert(Alert.AlertType.ERROR, message);
        a.initOwner(window());
        a.setTitle(title);
        a.setHeaderText(header);
        a.getDialogPane().setId("exportErrorDialog");
        a.getDialogPane().setMinWidth(520);
        a.show();
    }

    private javafx.stage.Window window() {
        return exportButton.getScene() == null ? null : exportButton.getScene().getWindow();
    }

    public void selectTab(int index) { compressTabs.getSelectionModel().select(index); }

    /** The "How it works" panel: formula, stored parameters, then every weight of the block. */
    static final class WalkthroughPane extends VBox {
        private final Label title = new Label();
        private final Label rule = new Label();
        private final Label summary = new Label();
        private final TableView<BlockWalkthrough.Step> steps = new TableView<>();
        private final TableView<Integer> weights = new TableView<>();
        private BlockWalkthrough current;

        WalkthroughPane() {
            super(10);
            setId("howItWorks");
            getStyleClass().add("how");
            setPadding(new Insets(14));
            title.getStyleClass().add("how-title");
            rule.getStyleClass().add("how-rule");
            rule.setId("howRule");
            summary.getStyleClass().add("muted");
            summary.setId("howSummary");
            summary.setWrapText(true);
            TableColumn<BlockWalkthrough.Step, String> name = col("Stored value", 150, s -> s.name());
            TableColumn<BlockWalkthrough.Step, String> formula = col("How it is computed", 430, s -> s.formula());
            TableColumn<BlockWalkthrough.Step, String> value = col("Value", 170, s -> s.value());
            value.getStyleClass().add("mono");
            steps.getColumns().setAll(List.of(name, formula, value));
            steps.setId("howSteps");
            steps.setPrefHeight(230);
            steps.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
            steps.getStyleClass().add("dense");
            weights.setId("howWeights");
            weights.getStyleClass().addAll("dense", "striped");
            weights.setPrefHeight(32 * 25 + 30);
            weights.getColumns().setAll(List.of(
                    wcol("#", 50, i -> Integer.toString(current.firstColumn() + i)),
                    wcol("weight x", 130, i -> fmt(current.original()[i])),
                    wcol("code q", 80, i -> current.codes() == null ? "—" : Integer.toString(current.codes()[i])),
                    wcol("dequantized y", 130, i -> fmt(current.dequantized()[i])),
                    wcol("error y − x", 130, i -> fmt(current.error(i))),
                    wcol("|error| / |x|", 110, i -> current.original()[i] == 0 ? "—"
                            : Numbers.percent(Math.abs(current.error(i) / current.original()[i])))));
            weights.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
            Label stepsTitle = new Label("1 · STORED PARAMETERS");
            stepsTitle.getStyleClass().add("section-title");
            Label weightsTitle = new Label("2 · EVERY WEIGHT: CODE, DECODED VALUE, ERROR");
            weightsTitle.getStyleClass().add("section-title");
            getChildren().addAll(title, rule, summary, stepsTitle, steps, weightsTitle, weights);
        }

        void show(BlockWalkthrough w, TensorPlan plan) {
            current = w;
            title.setText(String.format(Locale.ROOT, "%s  ·  %s  ·  row %d, weights %d–%d", w.target(), w.tensor(),
                    w.row(), w.firstColumn(), w.firstColumn() + w.size() - 1));
            rule.setText(w.decodeRule());
            String stored = String.format(Locale.ROOT, "%s for %s weights (%.3f bits each)",
                    Numbers.bytes(plan.size().bytes()), Numbers.grouped(plan.elements()), plan.size().bitsPerWeight());
            summary.setText(plan.changesValues()
                    ? String.format(Locale.ROOT, "%d weights  ·  %d grid levels  ·  max |error| %s  ·  the tensor is "
                            + "stored as %s: %s", w.size(), w.levels().length, fmt(w.maxAbsError()),
                            plan.schemeLabel(), stored)
                    // A kept tensor has no codes and no grid: say why it is kept instead.
                    : KeptTensors.why(plan) + "  ·  " + stored);
            steps.setItems(FXCollections.observableArrayList(w.steps()));
            weights.setItems(FXCollections.observableArrayList(
                    java.util.stream.IntStream.range(0, w.size()).boxed().toList()));
            weights.refresh();
        }

        BlockWalkthrough current() { return current; }

        private static String fmt(double v) { return String.format(Locale.ROOT, "%+.6f", v); }

        private static <T> TableColumn<T, String> col(String name, double width, java.util.function.Function<T, String> f) {
            TableColumn<T, String> c = new TableColumn<>(name);
            c.setPrefWidth(width);
            c.setSortable(false);
            c.setCellValueFactory(d -> new ReadOnlyStringWrapper(f.apply(d.getValue())));
            return c;
        }

        private TableColumn<Integer, String> wcol(String name, double width, java.util.function.IntFunction<String> f) {
            TableColumn<Integer, String> c = col(name, width, i -> f.apply(i));
            c.getStyleClass().add("mono");
            return c;
        }
    }
}
