package dev.quantscope.app.tradeoff.classifier;

import dev.quantscope.app.accuracy.IdxFiles;
import dev.quantscope.app.common.Async;
import dev.quantscope.app.common.FxController;
import dev.quantscope.app.common.Numbers;
import dev.quantscope.app.common.StatePane;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.collections.ListChangeListener;
import javafx.fxml.FXML;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.layout.StackPane;

import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;
import java.util.function.Function;

/** Binds the classifier Trade-off page to its {@link ClassifierTradeoffViewModel}. */
public final class ClassifierTradeoffController implements FxController {
    private final ClassifierTradeoffViewModel vm;
    private final ClassifierTradeoffChart chart = new ClassifierTradeoffChart();
    private StatePane chartState;

    @FXML private Button classifierSweepButton;
    @FXML private Button classifierSweepCancelButton;
    @FXML private ProgressBar classifierSweepProgress;
    @FXML private Label classifierSweepStatus;
    @FXML private Label classifierTestSet;
    @FXML private Label classifierSweepProblem;
    @FXML private StackPane chartHost;
    @FXML private TableView<TradeoffEntry> classifierPointsTable;
    @FXML private TableColumn<TradeoffEntry, String> variantColumn;
    @FXML private TableColumn<TradeoffEntry, String> kindColumn;
    @FXML private TableColumn<TradeoffEntry, String> sizeColumn;
    @FXML private TableColumn<TradeoffEntry, String> bpwColumn;
    @FXML private TableColumn<TradeoffEntry, String> sparsityColumn;
    @FXML private TableColumn<TradeoffEntry, String> top1Column;
    @FXML private TableColumn<TradeoffEntry, String> top5Column;
    @FXML private TableColumn<TradeoffEntry, String> deltaColumn;
    @FXML private TableColumn<TradeoffEntry, String> noteColumn;

    public ClassifierTradeoffController(ClassifierTradeoffViewModel vm) {
        this.vm = vm;
    }

    @FXML
    private void initialize() {
        classifierSweepButton.setOnAction(_ -> vm.run());
        classifierSweepButton.disableProperty().bind(vm.problemProperty().isNotEmpty());
        classifierSweepCancelButton.setOnAction(_ -> vm.cancel());
        classifierSweepCancelButton.disableProperty().bind(vm.job().runningProperty().not());
        classifierSweepProgress.visibleProperty().bind(vm.job().runningProperty());
        classifierSweepProgress.managedProperty().bind(classifierSweepProgress.visibleProperty());
        classifierSweepProgress.progressProperty().bind(vm.job().progressProperty());
        classifierSweepProblem.textProperty().bind(vm.problemProperty());
        classifierTestSet.textProperty().bind(vm.testSetProperty().map(o -> o.map(pair -> "Test set: "
                + IdxFiles.shortName(pair.images()) + ", with the Accuracy page's inputs").orElse("")));
        for (Label l : List.of(classifierSweepProblem, classifierSweepStatus)) {
            l.visibleProperty().bind(l.textProperty().isNotEmpty());
            l.managedProperty().bind(l.visibleProperty());
        }
        chartState = new StatePane(chart.viewer(), "Measure the variants: the original, each quantization scheme "
                + "and each pruning method, by top-1 accuracy on the test set against file size. Students exported "
                + "from the Distill page show here too.", "Cancelled. Measure again to see the variants.");
        chartHost.getChildren().add(chartState);
        setUpTable();
        vm.entries().addListener((ListChangeListener<TradeoffEntry>) _ -> redraw());
        vm.job().stateProperty().addListener((_, _, _) -> redraw());
        vm.skippedProperty().addListener((_, _, _) -> redraw());
        redraw();
    }

    private void redraw() {
        List<TradeoffEntry> entries = List.copyOf(vm.entries());
        chart.show(entries);
        Async<?> state = vm.job().state();
        // Exported students show even before the variants are measured; a failed run says why over the chart.
        // Points stream in while the run goes on: the chart shows from the first one.
        chartState.show(!entries.isEmpty() && !(state instanceof Async.Failed<?>)
                ? new Async.Done<>(entries) : state instanceof Async.Cancelled<?> ? Async.idle() : state);
        long variants = entries.stream().filter(e -> e.kind() != TradeoffEntry.Kind.STUDENT).count();
        classifierSweepStatus.setText(switch (state) {
            case Async.Running<?> _ -> "Quantizing, pruning and measuring each variant on the test set… (" + variants + " so far)";
            case Async.Done<?> _ -> variants + " variants: " + vm.measuredOnProperty().get() + ". " + vm.skippedProperty().get();
            case Async.Cancelled<?> _ -> "Cancelled after " + variants + " variants.";
            case Async.Failed<?> f -> f.message();
            case Async.Idle<?> _ -> "";
        });
        classifierSweepStatus.getStyleClass().remove("state-error");
        if (state instanceof Async.Failed<?>) classifierSweepStatus.getStyleClass().add("state-error");
        classifierPointsTable.refresh();
    }

    private void setUpTable() {
        classifierPointsTable.setItems(vm.entries());
        classifierPointsTable.setPlaceholder(new Label("No points yet"));
        text(variantColumn, TradeoffEntry::label);
        text(kindColumn, e -> e.kind().text());
        text(sizeColumn, e -> Numbers.bytes(e.bytes()));
        text(bpwColumn, e -> fmt(e.bitsPerWeight(), "%.2f"));
        text(sparsityColumn, e -> e.sparsity().isPresent() ? fmt("%.1f %%", 100 * e.sparsity().getAsDouble()) : "");
        text(top1Column, e -> fmt("%.2f %%", 100 * e.top1()));
        text(top5Column, e -> e.top5().isPresent() ? fmt("%.2f %%", 100 * e.top5().getAsDouble()) : "");
        text(deltaColumn, e -> vm.original().filter(o -> o != e)
                .map(o -> fmt("%+.2f", 100 * (e.top1() - o.top1()))).orElse(""));
        text(noteColumn, TradeoffEntry::note);
        // A note names every layer that fell back: longer than the column, so it is whole in the tooltip.
        noteColumn.setCellFactory(_ -> new javafx.scene.control.TableCell<>() {
            @Override
            protected void updateItem(String item, boolean empty) {
                super.updateItem(item, empty);
                setText(empty ? null : item);
                setTooltip(empty || item == null || item.isEmpty() ? null : new javafx.scene.control.Tooltip(item));
            }
        });
        for (TableColumn<TradeoffEntry, String> c : List.of(sizeColumn, bpwColumn, sparsityColumn, top1Column, top5Column, deltaColumn)) {
            c.getStyleClass().addAll("mono", "numeric");
        }
    }

    private static void text(TableColumn<TradeoffEntry, String> c, Function<TradeoffEntry, String> f) {
        c.setCellValueFactory(d -> new ReadOnlyStringWrapper(f.apply(d.getValue())));
    }

    private static String fmt(OptionalDouble v, String pattern) {
        return v.isPresent() ? fmt(pattern, v.getAsDouble()) : "";
    }

    private static String fmt(String pattern, Object... args) {
        return String.format(Locale.ROOT, pattern, args);
    }
}
