package dev.quantscope.app.tradeoff;

import dev.quantscope.app.common.Async;
import dev.quantscope.app.common.FxController;
import dev.quantscope.app.common.LlamaCppSetting;
import dev.quantscope.app.common.Numbers;
import dev.quantscope.app.common.StatePane;
import dev.quantscope.eval.sweep.Recommendation;
import dev.quantscope.eval.llamacpp.LlamaBench;
import dev.quantscope.eval.sweep.SpeedNoise;
import dev.quantscope.eval.sweep.SweepPoint;
import dev.quantscope.eval.sweep.SweepScheme;
import dev.quantscope.eval.sweep.SweepText;
import dev.quantscope.eval.sweep.TradeOffs;
import javafx.application.Platform;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.collections.ListChangeListener;
import javafx.fxml.FXML;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.Spinner;
import javafx.scene.control.SpinnerValueFactory;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableRow;
import javafx.scene.control.TableView;
import javafx.scene.control.TextField;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.HBox;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.TilePane;
import javafx.stage.FileChooser;

import java.io.File;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/** Binds the Trade-off page to its {@link TradeoffViewModel}. */
public final class TradeoffController implements FxController {
    private static final double MIB = 1024.0 * 1024.0;

    private final TradeoffViewModel vm;
    private final TradeoffChart sizeChart = new TradeoffChart("sweepSizeChart", "size (MiB)",
            m -> m.bytes() / MIB, TradeOffs::sizeVsKld, _ -> "");
    /** Speeds within their runs' noise get no front, and the chart says why (a tiny model's usual case). */
    private final TradeoffChart speedChart = new TradeoffChart("sweepSpeedChart", "generation speed (tg tokens/s, QuantScope's engine)",
            m -> m.latency().generationTokensPerSecond(), TradeOffs::latencyVsKld, pts -> SpeedNoise.of(pts).note());
    private StatePane sizeState;
    private StatePane speedState;
    /** Set while the combo box is made to show the view model's choice, which must not open a file chooser. */
    private boolean syncingImatrix;

    @FXML private TilePane presetTiles;
    @FXML private TextField customField;
    @FXML private TilePane variantTiles;
    @FXML private CheckBox quantizePrunedBox;
    @FXML private Label pruneNote;
    @FXML private Label textLabel;
    @FXML private Button chooseTextButton;
    @FXML private Spinner<Integer> textKbSpinner;
    @FXML private Spinner<Integer> ctxSpinner;
    @FXML private ComboBox<ImatrixChoice> imatrixCombo;
    @FXML private HBox imatrixRow;
    @FXML private Label imatrixLabel;
    @FXML private Button chooseImatrixButton;
    @FXML private Button runButton;
    @FXML private Button cancelButton;
    @FXML private ProgressBar progress;
    @FXML private Label statusLabel;
    @FXML private Label problemLabel;
    @FXML private TextField budgetField;
    @FXML private TextField maxKldField;
    @FXML private Button recommendButton;
    @FXML private Label fitProblemLabel;
    @FXML private Label choiceLabel;
    @FXML private Label reasonLabel;
    @FXML private Button tryButton;
    @FXML private Label currentLabel;
    @FXML private StackPane sizeHost;
    @FXML private StackPane speedHost;
    @FXML private TableView<SweepPoint> pointsTable;
    @FXML private TableColumn<SweepPoint, String> schemeColumn;
    @FXML private TableColumn<SweepPoint, String> sizeColumn;
    @FXML private TableColumn<SweepPoint, String> bpwColumn;
    @FXML private TableColumn<SweepPoint, String> kldColumn;
    @FXML private TableColumn<SweepPoint, String> kld99Column;
    @FXML private TableColumn<SweepPoint, String> topColumn;
    @FXML private TableColumn<SweepPoint, String> pplColumn;
    @FXML private TableColumn<SweepPoint, String> dPplColumn;
    @FXML private TableColumn<SweepPoint, String> tgColumn;
    @FXML private TableColumn<SweepPoint, String> ppColumn;
    @FXML private TableColumn<SweepPoint, String> noteColumn;
    @FXML private TableColumn<SweepPoint, String> llamaTgColumn;
    @FXML private TableColumn<SweepPoint, String> llamaPpColumn;
    @FXML private Label speedSourceLabel;
    @FXML private Button llamaCppButton;
    @FXML private Button llamaCppCancelButton;
    @FXML private Button llamaCppChooseButton;
    @FXML private ProgressBar llamaCppProgress;
    @FXML private Label llamaCppStatusLabel;

    public TradeoffController(TradeoffViewModel vm) {
        this.vm = vm;
    }

    @FXML
    private void initialize() {
        for (SchemeOption o : vm.presets()) {
            addOption(presetTiles, "preset-" + o.scheme().id(), o.scheme().label(), o,
                    "llama-quantize refuses this preset here: ");
        }
        customField.textProperty().bindBidirectional(vm.customIdsProperty());
        for (SchemeOption o : vm.variants()) {
            String id = o.scheme() instanceof SweepScheme.Pruned p
                    ? "variant-" + p.sparsity().method().id() + "-" + p.sparsity().pattern().label().replace(":", "of")
                            .replace("%", "pct")
                    : "variant-original";
            String text = o.scheme() instanceof SweepScheme.Pruned p ? p.sparsity().label() : "original";
            addOption(variantTiles, id, text, o, "cannot be pruned here: ");
        }
        quantizePrunedBox.selectedProperty().bindBidirectional(vm.quantizePrunedProperty());
        pruneNote.setText("Wanda and SparseGPT calibrate on the text that follows the part measured. "
                + SweepScheme.Pruned.SPEED_NOTE);

        textLabel.textProperty().bind(vm.textProperty().map(SweepText::name).orElse("no text chosen"));
        chooseTextButton.setOnAction(_ -> chooseText());
        textKbSpinner.setValueFactory(new SpinnerValueFactory.IntegerSpinnerValueFactory(1, 1 << 20, vm.textKilobytesProperty().get(), 8));
        textKbSpinner.valueProperty().addListener((_, _, v) -> { if (v != null) vm.textKilobytesProperty().set(v); });
        vm.textKilobytesProperty().addListener((_, _, v) -> textKbSpinner.getValueFactory().setValue(v.intValue()));
        ctxSpinner.setValueFactory(new SpinnerValueFactory.IntegerSpinnerValueFactory(4, 1 << 16, vm.ctxProperty().get(), 32));
        ctxSpinner.valueProperty().addListener((_, _, v) -> { if (v != null) vm.ctxProperty().set(v); });
        vm.ctxProperty().addListener((_, _, v) -> ctxSpinner.getValueFactory().setValue(v.intValue()));

        setUpImatrix();

        runButton.setOnAction(_ -> vm.runSweep());
        cancelButton.setOnAction(_ -> vm.cancel());
        cancelButton.disableProperty().bind(vm.job().runningProperty().not());
        progress.visibleProperty().bind(vm.job().runningProperty());
        progress.progressProperty().bind(vm.job().progressProperty());
        statusLabel.textProperty().bind(vm.statusProperty());
        problemLabel.textProperty().bind(vm.problemProperty());

        budgetField.textProperty().bindBidirectional(vm.budgetProperty());
        maxKldField.textProperty().bindBidirectional(vm.maxKldProperty());
        recommendButton.setOnAction(_ -> vm.recommend());
        recommendButton.disableProperty().bind(javafx.beans.binding.Bindings.isEmpty(vm.points()));
        fitProblemLabel.textProperty().bind(vm.fitProblemProperty());
        vm.recommendationProperty().addListener((_, _, r) -> showRecommendation(r));
        tryButton.setOnAction(_ -> vm.tryCurrent());
        tryButton.setDisable(true);
        currentLabel.textProperty().bind(vm.currentProperty().map(m -> m.label() + "  ·  " + Numbers.bytes(m.bytes())
                + fmt("  ·  mean KLD %.5f", m.accuracy().kldMean())).orElse("none yet: click a row"));
        vm.currentProperty().addListener((_, _, _) -> tryButton.setDisable(!vm.canTryCurrent()));
        showRecommendation(null);
        setUpLlamaCpp();

        sizeState = new StatePane(sizeChart.viewer(), "Run a sweep: each ticked scheme appears here as soon as it is "
                + "measured, on the bundled Shakespeare or a text you choose.");
        speedState = new StatePane(speedChart.viewer(), "Generation speed against closeness to the original.");
        sizeHost.getChildren().add(sizeState);
        speedHost.getChildren().add(speedState);

        // Empty messages take no room: the card stays compact until there is something to say.
        for (Label l : List.of(problemLabel, fitProblemLabel, choiceLabel)) {
            l.visibleProperty().bind(l.textProperty().isNotEmpty());
            l.managedProperty().bind(l.visibleProperty());
        }

        setUpTable();
        vm.points().addListener((ListChangeListener<SweepPoint>) _ -> redraw());
        vm.currentProperty().addListener((_, _, m) -> {
            redraw();
            if (m != null && pointsTable.getSelectionModel().getSelectedItem() != m) pointsTable.getSelectionModel().select(m);
            pointsTable.refresh();
        });
        vm.job().stateProperty().addListener((_, _, _) -> redraw());
        redraw();
    }

    /** A check box for {@code o}; one that cannot be ticked says why in a tooltip. */
    private static void addOption(TilePane tiles, String id, String text, SchemeOption o, String refusal) {
        CheckBox box = new CheckBox(text);
        box.setId(id);
        box.setMnemonicParsing(false); // show "Q4_K_M", not "Q4K_M"
        box.selectedProperty().bindBidirectional(o.selectedProperty());
        if (o.unavailable().isPresent()) {
            box.setDisable(true);
            // A disabled control shows no tooltip: the reason goes on a holder around it.
            javafx.scene.layout.HBox holder = new javafx.scene.layout.HBox(box);
            Tooltip.install(holder, new Tooltip(refusal + o.unavailable().get()));
            tiles.getChildren().add(holder);
        } else {
            tiles.getChildren().add(box);
        }
    }

    private void chooseText() {
        FileChooser chooser = new FileChooser();
        chooser.setTitle("Text to measure accuracy on");
        chooser.getExtensionFilters().addAll(new FileChooser.ExtensionFilter("Text", "*.txt", "*.md"),
                new FileChooser.ExtensionFilter("All files", "*"));
        if (vm.textProperty().get() instanceof SweepText.FromFile(Path current) && current.getParent() != null) {
            chooser.setInitialDirectory(current.getParent().toFile());
        }
        File f = chooser.showOpenDialog(pointsTable.getScene().getWindow());
        if (f != null) vm.textProperty().set(new SweepText.FromFile(f.toPath()));
    }

    /**
     * The importance matrix choice: "Load file…" asks for the file at once (and falls back to the previous choice
     * when none is chosen); the line below says where the matrix comes from.
     */
    private void setUpImatrix() {
        imatrixCombo.getItems().setAll(ImatrixChoice.values());
        imatrixCombo.setValue(vm.imatrixChoiceProperty().get());
        imatrixCombo.valueProperty().addListener((_, old, v) -> {
            if (syncingImatrix) return; // the view model's own change, shown here: nothing to ask
            if (v == ImatrixChoice.FILE && vm.imatrixFileProperty().get() == null && !chooseImatrix()) {
                Platform.runLater(() -> imatrixCombo.setValue(old)); // not while the combo is still changing
                return;
            }
            vm.imatrixChoiceProperty().set(v);
        });
        vm.imatrixChoiceProperty().addListener((_, _, v) -> {
            syncingImatrix = true;
            try {
                imatrixCombo.setValue(v);
            } finally {
                syncingImatrix = false;
            }
        });
        chooseImatrixButton.setOnAction(_ -> chooseImatrix());
        chooseImatrixButton.visibleProperty().bind(vm.imatrixChoiceProperty().isEqualTo(ImatrixChoice.FILE));
        chooseImatrixButton.managedProperty().bind(chooseImatrixButton.visibleProperty());
        imatrixLabel.textProperty().bind(javafx.beans.binding.Bindings.createStringBinding(() ->
                switch (vm.imatrixChoiceProperty().get() == null ? ImatrixChoice.NONE : vm.imatrixChoiceProperty().get()) {
                    case NONE -> "";
                    case FROM_TEXT -> "Computed over the text above, in windows of the context size "
                            + "(as quantscope imatrix does); the ◆ points are quantized with it.";
                    case FILE -> vm.imatrixFileProperty().get() == null ? "no file chosen"
                            : vm.imatrixFileProperty().get().getFileName().toString();
                }, vm.imatrixChoiceProperty(), vm.imatrixFileProperty()));
        imatrixRow.visibleProperty().bind(vm.imatrixChoiceProperty().isNotEqualTo(ImatrixChoice.NONE));
        imatrixRow.managedProperty().bind(imatrixRow.visibleProperty());
    }

    /**
     * The speeds' source, said once above the table, and the llama.cpp action: measure the current point with
     * llama-bench (off the FX thread, with progress and Cancel), its figures in the two llama.cpp columns.
     */
    private void setUpLlamaCpp() {
        speedSourceLabel.setText("Speeds in tokens/s. QuantScope: " + LlamaCppSetting.OURS + ". llama.cpp: "
                + LlamaCppSetting.THEIRS + " (F16 KV cache, the same tokens and threads), on the variant exported to "
                + "a temporary GGUF: select a row, then Measure with llama.cpp.");
        llamaCppButton.setOnAction(_ -> vm.measureCurrentWithLlamaCpp());
        llamaCppButton.disableProperty().bind(vm.currentProperty().isNull().or(vm.llamaCppJob().runningProperty()));
        llamaCppCancelButton.setOnAction(_ -> vm.llamaCppJob().cancel());
        llamaCppCancelButton.visibleProperty().bind(vm.llamaCppJob().runningProperty());
        llamaCppCancelButton.managedProperty().bind(llamaCppCancelButton.visibleProperty());
        llamaCppProgress.visibleProperty().bind(vm.llamaCppJob().runningProperty());
        llamaCppProgress.managedProperty().bind(llamaCppProgress.visibleProperty());
        llamaCppProgress.progressProperty().bind(vm.llamaCppJob().progressProperty());
        llamaCppStatusLabel.textProperty().bind(vm.llamaCppStatusProperty());
        llamaCppChooseButton.setOnAction(_ -> chooseLlamaCpp());
        vm.llamaCppFigures().addListener((javafx.collections.MapChangeListener<String, LlamaBench.Result>) _ -> pointsTable.refresh());
    }

    /** Asks for llama-bench (or the llama wrapper) and keeps it in the preferences when it is one. */
    private void chooseLlamaCpp() {
        FileChooser chooser = new FileChooser();
        chooser.setTitle("llama.cpp's llama-bench, or its 'llama' multi-tool");
        vm.llamaCppSetting().chosen().map(Path::getParent).filter(java.nio.file.Files::isDirectory)
                .ifPresent(d -> chooser.setInitialDirectory(d.toFile()));
        File f = chooser.showOpenDialog(pointsTable.getScene().getWindow());
        if (f == null) return;
        try {
            vm.llamaCppSetting().choose(f.toPath());
            vm.setLlamaCppSetting(vm.llamaCppSetting());
        } catch (IllegalArgumentException e) {
            new javafx.scene.control.Alert(javafx.scene.control.Alert.AlertType.WARNING, e.getMessage())
                    .showAndWait();
        }
    }

    /** @return whether an importance matrix file is set afterwards */
    private boolean chooseImatrix() {
        FileChooser chooser = new FileChooser();
        chooser.setTitle("Importance matrix (llama-imatrix or quantscope imatrix output)");
        chooser.getExtensionFilters().addAll(new FileChooser.ExtensionFilter("Importance matrix", "*.gguf", "*.dat"),
                new FileChooser.ExtensionFilter("All files", "*"));
        Path current = vm.imatrixFileProperty().get();
        if (current != null && current.getParent() != null) chooser.setInitialDirectory(current.getParent().toFile());
        File f = chooser.showOpenDialog(pointsTable.getScene().getWindow());
        if (f != null) vm.imatrixFileProperty().set(f.toPath());
        return vm.imatrixFileProperty().get() != null;
    }

    private void redraw() {
        List<SweepPoint> pts = List.copyOf(vm.points());
        sizeChart.show(pts, vm.currentProperty().get(), vm::kindOf);
        speedChart.show(pts, vm.currentProperty().get(), vm::kindOf);
        boolean anyMeasured = pts.stream().anyMatch(p -> p instanceof SweepPoint.Measured);
        // Points stream in while the sweep runs: show the chart from the first one on, not only at the end.
        // A sweep cancelled before its first point leaves the page as before it ran (the status line says so).
        Async<?> state = anyMeasured ? new Async.Done<>(pts)
                : vm.job().state() instanceof Async.Cancelled<?> ? Async.idle() : vm.job().state();
        sizeState.show(state);
        speedState.show(state);
    }

    private void setUpTable() {
        pointsTable.setItems(vm.points());
        pointsTable.setPlaceholder(new Label("No points yet"));
        text(schemeColumn, SweepPoint::label);
        text(sizeColumn, p -> p instanceof SweepPoint.Measured m ? Numbers.bytes(m.bytes()) : "");
        text(bpwColumn, p -> p instanceof SweepPoint.Measured m ? fmt("%.2f", m.bitsPerWeight()) : "");
        text(kldColumn, p -> p instanceof SweepPoint.Measured m ? fmt("%.6f", m.accuracy().kldMean()) : "");
        text(kld99Column, p -> p instanceof SweepPoint.Measured m ? fmt("%.5f", m.accuracy().kldP99()) : "");
        text(topColumn, p -> p instanceof SweepPoint.Measured m ? fmt("%.1f %%", 100 * m.accuracy().sameTopP()) : "");
        text(pplColumn, p -> p instanceof SweepPoint.Measured m ? fmt("%.3f", m.accuracy().ppl()) : "");
        text(dPplColumn, p -> p instanceof SweepPoint.Measured m
                ? fmt("%+.3f", m.accuracy().ppl() - m.accuracy().pplBase()) : "");
        // The median of the timed runs and half their interquartile range: how far this figure could as well read.
        text(tgColumn, p -> p instanceof SweepPoint.Measured m ? fmt(m.latency().generationTokensPerSecond() >= 100
                ? "%.0f ± %.0f %%" : "%.1f ± %.0f %%", m.latency().generationTokensPerSecond(),
                100 * m.latency().generationSpread().relativeHalfWidth()) : "");
        text(ppColumn, p -> p instanceof SweepPoint.Measured m ? fmt("%.1f", m.latency().promptTokensPerSecond()) : "");
        text(llamaTgColumn, p -> llamaCpp(p, LlamaBench.Result::tg));
        text(llamaPpColumn, p -> llamaCpp(p, LlamaBench.Result::pp));
        text(noteColumn, p -> switch (p) {
            case SweepPoint.Measured m -> (m.imatrix() ? "with the importance matrix · " : "")
                    + (m.fromCache() ? "from the cache" : fmt("measured in %.1f s", m.seconds()));
            case SweepPoint.Skipped s -> "skipped: " + s.reason();
        });
        for (TableColumn<SweepPoint, String> c : List.of(sizeColumn, bpwColumn, kldColumn, kld99Column, topColumn,
                pplColumn, dPplColumn, tgColumn, ppColumn, llamaTgColumn, llamaPpColumn)) {
            c.getStyleClass().addAll("mono", "numeric");
        }
        pointsTable.setRowFactory(_ -> new TableRow<>() {
            @Override
            protected void updateItem(SweepPoint item, boolean empty) {
                super.updateItem(item, empty);
                getStyleClass().removeAll("current-choice", "skipped");
                if (empty || item == null) return;
                if (item instanceof SweepPoint.Skipped) getStyleClass().add("skipped");
                if (item == vm.currentProperty().get()) getStyleClass().add("current-choice");
            }
        });
        pointsTable.getSelectionModel().selectedItemProperty().addListener((_, _, p) -> {
            if (p instanceof SweepPoint.Measured m) vm.currentProperty().set(m);
        });
    }

    private static void text(TableColumn<SweepPoint, String> c, Function<SweepPoint, String> f) {
        c.setCellValueFactory(d -> new ReadOnlyStringWrapper(f.apply(d.getValue())));
    }

    /** A llama-bench figure of the point, once measured; empty before. */
    private String llamaCpp(SweepPoint p, java.util.function.ToDoubleFunction<LlamaBench.Result> figure) {
        LlamaBench.Result r = vm.llamaCppFigures().get(p.schemeId());
        if (r == null) return "";
        double v = figure.applyAsDouble(r);
        return Double.isFinite(v) ? fmt(v >= 100 ? "%.0f" : "%.1f", v) : "";
    }

    private static String fmt(String pattern, Object... args) { return String.format(Locale.ROOT, pattern, args); }

    private void showRecommendation(Recommendation r) {
        if (r == null) {
            choiceLabel.setText("");
            reasonLabel.setText("The most accurate measured scheme whose weights fit the memory you have "
                    + "(and stay under the KL limit, if you give one).");
            return;
        }
        choiceLabel.setText(r.choice().map(m -> "→ " + m.label()).orElse("Nothing fits"));
        reasonLabel.setText(r.explanation());
    }

    /** Test hooks: the two charts. */
    TradeoffChart sizeChart() { return sizeChart; }

    TradeoffChart speedChart() { return speedChart; }
}
