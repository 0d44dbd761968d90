package dev.quantscope.app.accuracy;

import dev.quantscope.app.common.Async;
import dev.quantscope.app.common.FxController;
import dev.quantscope.app.common.Numbers;
import dev.quantscope.app.common.StatePane;
import javafx.fxml.FXML;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.TextField;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.StackPane;
import javafx.stage.FileChooser;

import java.io.File;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** Binds the Accuracy page to its {@link AccuracyViewModel}. */
public final class AccuracyController implements FxController {
    private final AccuracyViewModel vm;
    private final ConfusionMatrixView matrix = new ConfusionMatrixView();
    private final MisclassifiedGrid grid = new MisclassifiedGrid();
    private StatePane matrixState;
    private StatePane gridState;

    @FXML private Label imagesLabel;
    @FXML private Button chooseImagesButton;
    @FXML private Label labelsLabel;
    @FXML private Button chooseLabelsButton;
    @FXML private TextField scaleField;
    @FXML private TextField meanField;
    @FXML private TextField stdField;
    @FXML private Button accuracyRunButton;
    @FXML private Button accuracyCancelButton;
    @FXML private ProgressBar accuracyProgress;
    @FXML private Label accuracyProblem;
    @FXML private Label accuracyStatus;
    @FXML private Label top1Label;
    @FXML private Label top5Label;
    @FXML private Label countLabel;
    @FXML private StackPane matrixHost;
    @FXML private Label hoverLabel;
    @FXML private Label gridCaption;
    @FXML private StackPane gridHost;

    public AccuracyController(AccuracyViewModel vm) {
        this.vm = vm;
    }

    @FXML
    private void initialize() {
        for (Label l : List.of(imagesLabel, labelsLabel)) {
            var file = l == imagesLabel ? vm.imagesProperty() : vm.labelsProperty();
            l.textProperty().bind(file.map(IdxFiles::shortName).orElse("none chosen"));
            l.tooltipProperty().bind(file.map(p -> new Tooltip(p.toAbsolutePath().toString())));
        }
        chooseImagesButton.setOnAction(_ -> choose("Test images (IDX)", vm.imagesProperty().get()).ifPresent(vm::chooseImages));
        chooseLabelsButton.setOnAction(_ -> choose("Test labels (IDX)", vm.labelsProperty().get()).ifPresent(vm::chooseLabels));
        scaleField.textProperty().bindBidirectional(vm.scaleProperty());
        meanField.textProperty().bindBidirectional(vm.meanProperty());
        stdField.textProperty().bindBidirectional(vm.stdProperty());

        accuracyRunButton.setOnAction(_ -> vm.run());
        accuracyRunButton.disableProperty().bind(vm.problemProperty().isNotEmpty());
        accuracyCancelButton.setOnAction(_ -> vm.cancel());
        accuracyCancelButton.disableProperty().bind(vm.job().runningProperty().not());
        accuracyProgress.visibleProperty().bind(vm.job().runningProperty());
        accuracyProgress.managedProperty().bind(accuracyProgress.visibleProperty());
        accuracyProgress.progressProperty().bind(vm.job().progressProperty());
        accuracyProblem.textProperty().bind(vm.problemProperty());
        for (Label l : List.of(accuracyProblem, accuracyStatus)) {
            l.visibleProperty().bind(l.textProperty().isNotEmpty());
            l.managedProperty().bind(l.visibleProperty());
        }

        matrix.setId("confusionMatrix");
        grid.setId("misclassifiedGrid");
        matrixState = new StatePane(matrix, "Measure accuracy: the confusion matrix shows here, a row per true class.",
                "Cancelled. Measure again to see the matrix.");
        gridState = new StatePane(grid, "The images the classifier gets wrong show here.",
                "Cancelled. Measure again to see the images.");
        matrixHost.getChildren().add(matrixState);
        gridHost.getChildren().add(gridState);
        matrix.setOnCellClicked(vm::toggleCell);
        hoverLabel.textProperty().bind(matrix.hoverTextProperty().map(t -> t.isEmpty()
                ? "Click a cell to see its images in the grid." : t));
        gridCaption.textProperty().bind(vm.gridCaptionProperty());

        vm.job().stateProperty().addListener((_, _, _) -> showState());
        vm.reportProperty().addListener((_, _, _) -> showReport());
        vm.selectedCellProperty().addListener((_, _, _) -> showReport());
        vm.shownProperty().addListener((_, _, _) -> showReport());
        showReport();
        showState();
    }

    private void showState() {
        Async<AccuracyReport> state = vm.job().state();
        // A finished run stays on screen while the next one computes or after it is cancelled; the line says which.
        Async<?> shown = vm.reportProperty().get() != null && !(state instanceof Async.Failed<?>)
                ? new Async.Done<>(vm.reportProperty().get()) : state;
        matrixState.show(shown);
        gridState.show(shown);
        accuracyStatus.setText(switch (state) {
            case Async.Idle<?> _ -> "";
            case Async.Running<?> _ -> "Reading the images and measuring…";
            case Async.Done<AccuracyReport>(AccuracyReport r) -> "Measured on " + IdxFiles.shortName(r.images()) + ".";
            case Async.Cancelled<?> _ -> vm.reportProperty().get() == null ? "Cancelled." : "Cancelled: the figures are the previous run's.";
            case Async.Failed<?> f -> f.message();
        });
        accuracyStatus.getStyleClass().remove("state-error");
        if (state instanceof Async.Failed<?>) accuracyStatus.getStyleClass().add("state-error");
    }

    private void showReport() {
        AccuracyReport r = vm.reportProperty().get();
        if (r == null) {
            top1Label.setText("–");
            top5Label.setText("–");
            countLabel.setText("Not measured yet.");
            return;
        }
        top1Label.setText(percent(r.result().top1()));
        top5Label.setText(percent(r.result().top5()));
        int wrong = r.result().misclassified().size();
        countLabel.setText(Numbers.grouped(r.result().n()) + " images, " + Numbers.grouped(wrong) + " misclassified, "
                + r.names().size() + " classes");
        matrix.show(r.result().confusion(), r.names(), vm.selectedCellProperty().get());
        grid.show(r.data(), r.names(), vm.shownProperty().get());
    }

    private static String percent(double fraction) {
        return String.format(Locale.ROOT, "%.2f %%", 100 * fraction);
    }


    private java.util.Optional<Path> choose(String title, Path current) {
        FileChooser chooser = new FileChooser();
        chooser.setTitle(title);
        chooser.getExtensionFilters().addAll(new FileChooser.ExtensionFilter("IDX files", "*-ubyte", "*-ubyte.gz", "*.idx*", "*.gz"),
                new FileChooser.ExtensionFilter("All files", "*"));
        if (current != null && current.getParent() != null && current.getParent().toFile().isDirectory()) {
            chooser.setInitialDirectory(current.getParent().toFile());
        }
        File f = chooser.showOpenDialog(matrixHost.getScene().getWindow());
        return f == null ? java.util.Optional.empty() : java.util.Optional.of(f.toPath());
    }
}
