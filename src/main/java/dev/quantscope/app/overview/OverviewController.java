package dev.quantscope.app.overview;

import dev.quantscope.app.common.Async;
import dev.quantscope.app.common.FxController;
import dev.quantscope.app.common.Numbers;
import dev.quantscope.app.common.StatePane;
import dev.quantscope.format.Model;
import dev.quantscope.stats.LayerKind;
import dev.quantscope.stats.ModelSummary;
import dev.quantscope.tensor.DType;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.collections.transformation.FilteredList;
import javafx.fxml.FXML;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.control.TextField;
import javafx.scene.layout.FlowPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** Binds the overview page to its {@link OverviewViewModel}. */
public final class OverviewController implements FxController {
    /** The summary only stops when cancelled (it starts with the page): idle afterwards means the same. */
    static final String SUMMARY_CANCELLED = "Summary cancelled. Close and reopen the model to summarise it again.";
    private final OverviewViewModel vm;
    private final SummaryCharts.Bars byDtype = new SummaryCharts.Bars("dtype (tensors)", "dtypeChart");
    private final SummaryCharts.Bars byKind = new SummaryCharts.Bars("layer kind (tensors)", "kindChart");

    @FXML private Label modelTitle;
    @FXML private Label modelPath;
    @FXML private FlowPane facts;
    @FXML private StackPane dtypeHost;
    @FXML private StackPane kindHost;
    @FXML private HBox activityBox;
    @FXML private Label activityLabel;
    @FXML private ProgressBar activityProgress;
    @FXML private Button cancelButton;
    @FXML private TextField metadataFilter;
    @FXML private TableView<MetadataRow> metadataTable;
    @FXML private TableColumn<MetadataRow, String> keyColumn;
    @FXML private TableColumn<MetadataRow, String> typeColumn;
    @FXML private TableColumn<MetadataRow, String> valueColumn;
    @FXML private Label metadataCount;

    private StatePane dtypeState;
    private StatePane kindState;
    private Label bitsFact;

    public OverviewController(OverviewViewModel vm) {
        this.vm = vm;
    }

    @FXML
    private void initialize() {
        Model m = vm.model();
        modelTitle.setText(m.source().getFileName() == null ? m.source().toString() : m.source().getFileName().toString());
        modelPath.setText(m.source().toAbsolutePath().toString());
        bitsFact = new Label("…");
        facts.getChildren().setAll(
                fact("Format", new Label(m.format().displayName())),
                fact("Architecture", new Label(m.architecture())),
                fact("Parameters", new Label(Numbers.grouped(m.parameterCount()))),
                fact("Tensor data", new Label(Numbers.bytes(m.tensorBytes()))),
                fact("Tensors", new Label(Numbers.grouped(m.tensors().size()))),
                fact("Layers", new Label(Long.toString(m.layers().stream().filter(g -> g.index() >= 0).count()))),
                fact("Bits / weight", bitsFact));

        dtypeState = new StatePane(byDtype.viewer(), SUMMARY_CANCELLED, SUMMARY_CANCELLED);
        kindState = new StatePane(byKind.viewer(), SUMMARY_CANCELLED, SUMMARY_CANCELLED);
        dtypeHost.getChildren().add(dtypeState);
        kindHost.getChildren().add(kindState);
        vm.summary().stateProperty().addListener((_, _, s) -> showSummary(s));
        showSummary(vm.summary().state());

        activityBox.visibleProperty().bind(vm.activity().busyProperty());
        activityLabel.textProperty().bind(vm.activity().messageProperty());
        activityProgress.progressProperty().bind(vm.activity().progressProperty());
        cancelButton.setOnAction(_ -> vm.activity().cancelAll());

        keyColumn.setCellValueFactory(c -> new ReadOnlyStringWrapper(c.getValue().key()));
        typeColumn.setCellValueFactory(c -> new ReadOnlyStringWrapper(c.getValue().type()));
        valueColumn.setCellValueFactory(c -> new ReadOnlyStringWrapper(c.getValue().value()));
        keyColumn.getStyleClass().add("mono");
        valueColumn.getStyleClass().add("mono");
        FilteredList<MetadataRow> rows = new FilteredList<>(javafx.collections.FXCollections.observableList(vm.metadata()));
        metadataFilter.textProperty().addListener((_, _, f) -> {
            String needle = f.strip().toLowerCase(Locale.ROOT);
            rows.setPredicate(r -> needle.isEmpty() || r.key().toLowerCase(Locale.ROOT).contains(needle)
                    || r.value().toLowerCase(Locale.ROOT).contains(needle));
            metadataCount.setText(rows.size() + " of " + vm.metadata().size() + " entries");
        });
        metadataTable.setItems(rows);
        metadataTable.setPlaceholder(new Label("This file has no metadata"));
        metadataCount.setText(vm.metadata().size() + " entries");
        vm.load();
    }

    private static VBox fact(String name, Label value) {
        Label caption = new Label(name.toUpperCase(Locale.ROOT));
        caption.getStyleClass().add("fact-caption");
        value.getStyleClass().add("fact-value");
        VBox box = new VBox(4, caption, value);
        box.getStyleClass().add("fact-card");
        return box;
    }

    private void showSummary(Async<ModelSummary> state) {
        dtypeState.show(state);
        kindState.show(state);
        switch (state) {
            case Async.Done<ModelSummary>(ModelSummary s) -> {
                Map<String, ModelSummary.Totals> dtypes = new LinkedHashMap<>();
                for (Map.Entry<DType, ModelSummary.Totals> e : s.byDtype().entrySet()) {
                    dtypes.put(e.getKey().name(), e.getValue());
                }
                Map<String, ModelSummary.Totals> kinds = new LinkedHashMap<>();
                for (LayerKind k : LayerKind.values()) {
                    ModelSummary.Totals t = s.byKind().get(k);
                    if (t != null && t.tensors() > 0) kinds.put(k.name().toLowerCase(Locale.ROOT), t);
                }
                byDtype.show(dtypes);
                byKind.show(kinds);
                bitsFact.setText(String.format(Locale.ROOT, "%.2f", s.bitsPerWeight()));
            }
            case Async.Running<ModelSummary> _ -> bitsFact.setText("…");
            // never a busy "…" once nothing is working on it
            case Async.Failed<ModelSummary> _, Async.Cancelled<ModelSummary> _, Async.Idle<ModelSummary> _ ->
                    bitsFact.setText("—");
        }
    }
}
