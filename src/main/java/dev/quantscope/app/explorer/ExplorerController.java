package dev.quantscope.app.explorer;

import atlantafx.base.controls.ToggleSwitch;
import dev.quantscope.app.common.Async;
import dev.quantscope.app.common.FxController;
import dev.quantscope.app.common.KeyValue;
import dev.quantscope.app.common.Numbers;
import dev.quantscope.app.common.StatePane;
import dev.quantscope.format.LayerGroup;
import dev.quantscope.stats.ChannelRanges;
import dev.quantscope.stats.Histogram;
import dev.quantscope.stats.TensorStats;
import dev.quantscope.tensor.TensorInfo;
import javafx.animation.PauseTransition;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.fxml.FXML;
import javafx.scene.control.Label;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.Button;
import javafx.scene.control.Slider;
import javafx.scene.control.Tab;
import javafx.scene.control.TabPane;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.control.TextField;
import javafx.scene.control.TreeItem;
import javafx.scene.control.TreeTableColumn;
import javafx.scene.control.TreeTableView;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Region;
import javafx.scene.layout.StackPane;
import javafx.util.Duration;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/** Binds the explorer view to its {@link ExplorerViewModel}; holds no state of its own beyond the widgets. */
public final class ExplorerController implements FxController {
    /** Trees with at most this many tensors open fully expanded; bigger ones start collapsed to stay scannable. */
    private static final int EXPAND_ALL_LIMIT = 200;

    private final ExplorerViewModel vm;

    @FXML private TextField filterField;
    @FXML private TreeTableView<TreeRow> tensorTree;
    @FXML private TreeTableColumn<TreeRow, String> nameColumn;
    @FXML private TreeTableColumn<TreeRow, String> shapeColumn;
    @FXML private TreeTableColumn<TreeRow, String> dtypeColumn;
    @FXML private TreeTableColumn<TreeRow, String> paramsColumn;
    @FXML private TreeTableColumn<TreeRow, String> sizeColumn;
    @FXML private Label treeSummary;
    @FXML private Label tensorTitle;
    @FXML private Label tensorSubtitle;
    @FXML private HBox activityBox;
    @FXML private Label activityLabel;
    @FXML private ProgressBar activityProgress;
    @FXML private Button cancelButton;
    @FXML private TableView<KeyValue> infoTable;
    @FXML private TableColumn<KeyValue, String> infoKey;
    @FXML private TableColumn<KeyValue, String> infoValue;
    @FXML private TableView<KeyValue> statsTable;
    @FXML private TableColumn<KeyValue, String> statsKey;
    @FXML private TableColumn<KeyValue, String> statsValue;
    @FXML private TabPane chartTabs;
    @FXML private Tab histogramTab;
    @FXML private Tab heatmapTab;
    @FXML private Tab channelTab;
    @FXML private Slider binsSlider;
    @FXML private Label binsLabel;
    @FXML private ToggleSwitch logToggle;
    @FXML private StackPane histogramHost;
    @FXML private StackPane heatmapHost;
    @FXML private StackPane channelHost;
    @FXML private Label legendMin;
    @FXML private Region legendBar;
    @FXML private Label legendMax;
    @FXML private Label heatmapInfo;
    @FXML private Label hoverLabel;

    private final HistogramChart histogramChart = new HistogramChart();
    private final ChannelRangeChart channelChart = new ChannelRangeChart();
    private final HeatmapView heatmapView = new HeatmapView();
    private final Label statsPlaceholder = new Label("Select a tensor");
    private StatePane histogramState;
    private StatePane heatmapState;
    private StatePane channelState;
    private boolean syncingSelection;

    public ExplorerController(ExplorerViewModel vm) {
        this.vm = vm;
    }

    @FXML
    private void initialize() {
        setUpTree();
        setUpTables();
        setUpActivity();
        setUpHistogram();
        setUpHeatmap();
        channelState = new StatePane(channelChart.viewer(), "Select a tensor to see each row's range");
        channelHost.getChildren().add(channelState);
        vm.channelRanges().stateProperty().addListener((_, _, s) -> showChannels(s));
        vm.selectedProperty().addListener((_, _, t) -> showSelection(t));
        showSelection(vm.selectedProperty().get());
    }

    // ---- tree ----

    private void setUpTree() {
        nameColumn.setCellValueFactory(c -> text(shortName(c.getValue())));
        shapeColumn.setCellValueFactory(c -> text(switch (c.getValue().getValue()) {
            case TreeRow.Tensor t -> shape(t.info());
            case TreeRow.Layer l -> l.group().tensors().size() + (l.group().tensors().size() == 1 ? " tensor" : " tensors");
            case TreeRow.Root _ -> "";
        }));
        dtypeColumn.setCellValueFactory(c -> text(c.getValue().getValue() instanceof TreeRow.Tensor t
                ? t.info().dtype().name() : ""));
        paramsColumn.setCellValueFactory(c -> text(Numbers.grouped(c.getValue().getValue().parameters())));
        sizeColumn.setCellValueFactory(c -> text(Numbers.bytes(c.getValue().getValue().bytes())));
        shapeColumn.getStyleClass().add("mono");
        dtypeColumn.getStyleClass().add("mono");
        paramsColumn.getStyleClass().addAll("mono", "numeric");
        sizeColumn.getStyleClass().addAll("mono", "numeric");

        filterField.textProperty().bindBidirectional(vm.filterProperty());
        vm.filterProperty().addListener((_, _, _) -> rebuildTree());
        tensorTree.getSelectionModel().selectedItemProperty().addListener((_, _, item) -> {
            if (!syncingSelection && item != null && item.getValue() instanceof TreeRow.Tensor t) {
                vm.selectedProperty().set(t.info());
            }
        });
        rebuildTree();
    }

    private void rebuildTree() {
        List<LayerGroup> layers = vm.filteredLayers();
        int tensors = layers.stream().mapToInt(g -> g.tensors().size()).sum();
        boolean filtering = !vm.filterProperty().get().isBlank();
        boolean expand = filtering || tensors <= EXPAND_ALL_LIMIT;
        TreeItem<TreeRow> root = new TreeItem<>(new TreeRow.Root("model", 0, 0));
        TreeItem<TreeRow> toSelect = null;
        for (LayerGroup g : layers) {
            // A group of one ("token_embd" holding only token_embd.weight) adds a level and says nothing.
            TreeItem<TreeRow> parent = root;
            if (g.tensors().size() > 1) {
                parent = new TreeItem<>(TreeRow.Layer.of(g));
                parent.setExpanded(expand);
                root.getChildren().add(parent);
            }
            for (TensorInfo t : g.tensors()) {
                TreeItem<TreeRow> leaf = new TreeItem<>(new TreeRow.Tensor(t));
                parent.getChildren().add(leaf);
                if (t == vm.selectedProperty().get()) toSelect = leaf;
            }
        }
        tensorTree.setRoot(root);
        revealInTree(toSelect);
        int all = vm.session().model().tensors().size();
        treeSummary.setText(filtering ? tensors + " of " + all + " tensors match"
                : all + " tensors in " + layers.size() + " groups");
    }

    /** Selects and scrolls to a tensor's row without feeding the selection back into the view model. */
    private void revealInTree(TreeItem<TreeRow> item) {
        if (item == null || tensorTree.getSelectionModel().getSelectedItem() == item) return;
        syncingSelection = true;
        try {
            if (item.getParent() != null) item.getParent().setExpanded(true);
            tensorTree.getSelectionModel().select(item);
            int row = tensorTree.getRow(item);
            if (row >= 0) tensorTree.scrollTo(Math.max(0, row - 3));
        } finally {
            syncingSelection = false;
        }
    }

    /** The tree row of a tensor, or null when the filter hides it. */
    private TreeItem<TreeRow> itemOf(TensorInfo t) {
        if (t == null || tensorTree.getRoot() == null) return null;
        for (TreeItem<TreeRow> top : tensorTree.getRoot().getChildren()) {
            if (top.getValue() instanceof TreeRow.Tensor leaf && leaf.info() == t) return top;
            for (TreeItem<TreeRow> leaf : top.getChildren()) {
                if (leaf.getValue() instanceof TreeRow.Tensor x && x.info() == t) return leaf;
            }
        }
        return null;
    }

    private static String shortName(TreeItem<TreeRow> item) {
        TreeRow row = item.getValue();
        // Inside a layer, "blk.0.attn_q.weight" reads better as "attn_q.weight": the layer row already says blk.0.
        if (row instanceof TreeRow.Tensor t && item.getParent() != null
                && item.getParent().getValue() instanceof TreeRow.Layer l
                && t.name().startsWith(l.name() + ".") && t.name().length() > l.name().length() + 1) {
            return t.name().substring(l.name().length() + 1);
        }
        return row.name();
    }

    static String shape(TensorInfo t) {
        return Arrays.stream(t.shape().dims()).mapToObj(Long::toString).collect(Collectors.joining(" × "));
    }

    private static ReadOnlyStringWrapper text(String s) { return new ReadOnlyStringWrapper(s); }

    // ---- details ----

    private void setUpTables() {
        infoKey.setCellValueFactory(c -> text(c.getValue().key()));
        infoValue.setCellValueFactory(c -> text(c.getValue().value()));
        statsKey.setCellValueFactory(c -> text(c.getValue().key()));
        statsValue.setCellValueFactory(c -> text(c.getValue().value()));
        infoValue.getStyleClass().add("mono");
        statsValue.getStyleClass().addAll("mono", "numeric");
        infoTable.setPlaceholder(new Label("Select a tensor in the tree"));
        statsPlaceholder.setWrapText(true);
        statsPlaceholder.getStyleClass().add("state-message");
        statsTable.setPlaceholder(statsPlaceholder);
        vm.stats().stateProperty().addListener((_, _, s) -> showStats(s));
    }

    private void showSelection(TensorInfo t) {
        revealInTree(itemOf(t));
        if (t == null) {
            tensorTitle.setText("No tensor selected");
            tensorSubtitle.setText("");
            infoTable.getItems().clear();
            return;
        }
        tensorTitle.setText(t.name());
        tensorSubtitle.setText(shape(t) + "  ·  " + t.dtype().name() + "  ·  "
                + Numbers.grouped(t.parameters()) + " parameters  ·  " + Numbers.bytes(t.byteSize()));
        List<KeyValue> rows = new ArrayList<>();
        rows.add(new KeyValue("Shape", "[" + shape(t) + "]"));
        rows.add(new KeyValue("Layout", t.shape().order() == dev.quantscope.tensor.Shape.Order.FASTEST_FIRST
                ? "ggml (ne order)" : "row-major"));
        rows.add(new KeyValue("Rows × row length", Numbers.grouped(t.shape().rows()) + " × "
                + Numbers.grouped(t.shape().rowLength())));
        rows.add(new KeyValue("DType", t.dtype().name()));
        rows.add(new KeyValue("Bits / weight", String.format(java.util.Locale.ROOT, "%.3f", t.dtype().bitsPerElement())));
        rows.add(new KeyValue("Parameters", Numbers.grouped(t.parameters())));
        rows.add(new KeyValue("Bytes", Numbers.grouped(t.byteSize()) + "  (" + Numbers.bytes(t.byteSize()) + ")"));
        rows.add(new KeyValue("Decodable", t.decodable() ? "yes" : "no"));
        infoTable.getItems().setAll(rows);
    }

    private void showStats(Async<TensorStats> state) {
        switch (state) {
            case Async.Done<TensorStats>(TensorStats s) -> statsTable.getItems().setAll(statRows(s));
            case Async.Idle<TensorStats> _ -> placeholder("Select a tensor", false);
            case Async.Running<TensorStats> _ -> placeholder("Computing statistics…", false);
            case Async.Cancelled<TensorStats> _ -> placeholder(StatePane.TENSOR_VIEW_CANCELLED, false);
            case Async.Failed<TensorStats>(String message) -> placeholder(message, true);
        }
    }

    private void placeholder(String text, boolean error) {
        statsTable.getItems().clear();
        statsPlaceholder.setText(text);
        statsPlaceholder.getStyleClass().remove("state-error");
        if (error) statsPlaceholder.getStyleClass().add("state-error");
    }

    static List<KeyValue> statRows(TensorStats s) {
        return List.of(
                new KeyValue("Count", Numbers.grouped(s.count())),
                new KeyValue("NaN / Inf", Numbers.grouped(s.nanCount())),
                new KeyValue("Min", Numbers.stat(s.min())),
                new KeyValue("Max", Numbers.stat(s.max())),
                new KeyValue("Mean", Numbers.stat(s.mean())),
                new KeyValue("Std", Numbers.stat(s.std())),
                new KeyValue("|max|", Numbers.stat(s.absMax())),
                new KeyValue("Zeros", Numbers.percent(s.zeroFraction())),
                new KeyValue("Kurtosis", Numbers.stat(s.kurtosis())),
                new KeyValue("Outliers > 6σ", Numbers.percent(s.outlierFraction())),
                new KeyValue("p0.1", Numbers.stat(s.p0_1())),
                new KeyValue("p1", Numbers.stat(s.p1())),
                new KeyValue("Median", Numbers.stat(s.p50())),
                new KeyValue("p99", Numbers.stat(s.p99())),
                new KeyValue("p99.9", Numbers.stat(s.p99_9())));
    }

    // ---- activity ----

    private void setUpActivity() {
        activityBox.visibleProperty().bind(vm.activity().busyProperty());
        activityLabel.textProperty().bind(vm.activity().messageProperty());
        activityProgress.progressProperty().bind(vm.activity().progressProperty());
    }

    @FXML
    private void cancel() {
        vm.activity().cancelAll();
    }

    // ---- histogram ----

    private void setUpHistogram() {
        histogramState = new StatePane(histogramChart.viewer(), "Select a tensor to see its value distribution");
        histogramHost.getChildren().add(histogramState);
        binsSlider.setValue(vm.binsProperty().get());
        binsLabel.setText(Integer.toString(vm.binsProperty().get()));
        binsSlider.valueProperty().addListener((_, _, v) -> {
            binsLabel.setText(Integer.toString(v.intValue()));
            if (!binsSlider.isValueChanging()) vm.binsProperty().set(v.intValue());
        });
        // While dragging only the label moves; the histogram is recomputed once, on release.
        binsSlider.valueChangingProperty().addListener((_, _, changing) -> {
            if (!changing) vm.binsProperty().set((int) binsSlider.getValue());
        });
        vm.binsProperty().addListener((_, _, n) -> {
            if ((int) binsSlider.getValue() != n.intValue()) binsSlider.setValue(n.intValue());
        });
        logToggle.selectedProperty().bindBidirectional(vm.logCountsProperty());
        vm.histogram().stateProperty().addListener((_, _, s) -> showHistogram(s));
        vm.logCountsProperty().addListener((_, _, _) -> showHistogram(vm.histogram().state()));
    }

    private void showHistogram(Async<Histogram> state) {
        histogramState.show(state);
        if (state instanceof Async.Done<Histogram>(Histogram h)) histogramChart.show(h, vm.logCountsProperty().get());
        else histogramChart.clear();
    }

    // ---- heatmap ----

    private void setUpHeatmap() {
        heatmapState = new StatePane(heatmapView, "Select a tensor to see its weights");
        heatmapHost.getChildren().add(heatmapState);
        legendBar.setStyle("-fx-background-color: " + DivergingColorMap.cssGradient() + ";");
        hoverLabel.textProperty().bind(heatmapView.hoverTextProperty());
        vm.heatmap().stateProperty().addListener((_, _, s) -> showHeatmap(s));
        // Resample to the view's size once resizing settles, not on every intermediate size.
        PauseTransition settle = new PauseTransition(Duration.millis(300));
        settle.setOnFinished(_ -> {
            if (heatmapHost.getWidth() >= 32 && heatmapHost.getHeight() >= 32) {
                vm.heatmapViewport(heatmapHost.getWidth(), heatmapHost.getHeight());
            }
        });
        heatmapHost.widthProperty().addListener((_, _, _) -> settle.playFromStart());
        heatmapHost.heightProperty().addListener((_, _, _) -> settle.playFromStart());
        showHeatmap(vm.heatmap().state());
    }

    private void showHeatmap(Async<Heatmap> state) {
        heatmapState.show(state);
        if (state instanceof Async.Done<Heatmap>(Heatmap h)) {
            heatmapView.show(h);
            legendMin.setText(Numbers.stat(-h.scale()));
            legendMax.setText("+" + Numbers.stat(h.scale()));
            heatmapInfo.setText(h.isExact() ? "every weight shown"
                    : Numbers.grouped(h.height()) + " of " + Numbers.grouped(h.rows()) + " rows, columns pooled "
                    + Numbers.grouped(h.width()) + " of " + Numbers.grouped(h.rowLength()) + " (largest |w|)");
            setLegendVisible(true);
        } else {
            heatmapView.clear();
            setLegendVisible(false);
        }
    }

    private void setLegendVisible(boolean visible) {
        for (var n : List.of(legendMin, legendBar, legendMax, heatmapInfo)) n.setVisible(visible);
    }

    // ---- channel ranges ----

    private void showChannels(Async<ChannelRanges> state) {
        channelState.show(state);
        if (state instanceof Async.Done<ChannelRanges>(ChannelRanges r)) channelChart.show(r);
        else channelChart.clear();
    }

    // ---- for the shell and tests ----

    public ExplorerViewModel viewModel() { return vm; }

}
