package dev.quantscope.app.distill;

import dev.quantscope.app.common.Async;
import dev.quantscope.app.common.FxController;
import dev.quantscope.app.common.Numbers;
import dev.quantscope.app.common.StatePane;
import dev.quantscope.app.accuracy.IdxFiles;
import dev.quantscope.app.compress.ExportFolders;
import dev.quantscope.app.document.ClassifierData.IdxPair;
import dev.quantscope.app.document.ExportedClassifier;
import dev.quantscope.distill.DistillationResult;
import dev.quantscope.distill.StudentRun;
import dev.quantscope.train.EpochReport;
import dev.quantscope.train.TrainingResult;
import javafx.beans.binding.Bindings;
import javafx.beans.property.ObjectProperty;
import javafx.collections.FXCollections;
import javafx.collections.ListChangeListener;
import javafx.fxml.FXML;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.RadioButton;
import javafx.scene.control.Spinner;
import javafx.scene.control.SpinnerValueFactory;
import javafx.scene.control.TextField;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.FlowPane;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.StackPane;
import javafx.stage.FileChooser;
import javafx.stage.Window;

import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;

/** Binds the Distill page to its {@link DistillViewModel}. */
public final class DistillController implements FxController {
    private static final String CURVES_IDLE = "Press Start: the loss and accuracy of both students are drawn here, epoch by epoch.";
    private final DistillViewModel vm;
    private final DistillCharts charts = new DistillCharts();
    private final ExportFolders exportFolders = ExportFolders.standard();
    private StatePane lossState;
    private StatePane accuracyState;

    @FXML private RadioButton openModelRadio;
    @FXML private RadioButton trainHereRadio;
    @FXML private GridPane teacherTrainGrid;
    @FXML private TextField teacherSpecField;
    @FXML private Spinner<Integer> teacherEpochsSpinner;
    @FXML private Button trainTeacherButton;
    @FXML private HBox teacherProgressBox;
    @FXML private ProgressBar teacherProgress;
    @FXML private Button teacherCancelButton;
    @FXML private Label teacherLabel;
    @FXML private TextField studentSpecField;
    @FXML private FlowPane presetsPane;
    @FXML private Label studentSummary;
    @FXML private Label studentProblem;
    @FXML private Spinner<Double> temperatureSpinner;
    @FXML private Spinner<Double> alphaSpinner;
    @FXML private Spinner<Integer> epochsSpinner;
    @FXML private Spinner<Integer> batchSpinner;
    @FXML private TextField learningRateField;
    @FXML private ComboBox<RunSettings.OptimizerChoice> optimizerCombo;
    @FXML private Spinner<Integer> patienceSpinner;
    @FXML private CheckBox keepBestCheck;
    @FXML private ComboBox<RunSettings.AugmentChoice> augmentCombo;
    @FXML private CheckBox labelsOnlyCheck;
    @FXML private Label trainDataLabel;
    @FXML private Button chooseTrainButton;
    @FXML private Spinner<Integer> trainLimitSpinner;
    @FXML private Label validationDataLabel;
    @FXML private Button chooseValidationButton;
    @FXML private Spinner<Integer> validationLimitSpinner;
    @FXML private Label dataProblem;
    @FXML private Button startButton;
    @FXML private Label estimateLabel;
    @FXML private HBox runProgressBox;
    @FXML private ProgressBar runProgress;
    @FXML private Button runCancelButton;
    @FXML private Label runStatus;
    @FXML private StackPane chartsHost;
    @FXML private Label resultLabel;
    @FXML private Button exportDistilledButton;
    @FXML private Button exportLabelsOnlyButton;
    @FXML private HBox exportProgressBox;
    @FXML private ProgressBar exportProgress;
    @FXML private Button exportCancelButton;
    @FXML private Label exportStatus;

    public DistillController(DistillViewModel vm) {
        this.vm = vm;
    }

    @FXML
    private void initialize() {
        setUpTeacher();
        setUpStudent();
        setUpSettings();
        setUpData();
        setUpRun();
        setUpCharts();
        setUpExport();
    }

    // ---- teacher ----

    private void setUpTeacher() {
        openModelRadio.setText("The open model (" + fileName(vm.source()) + ")");
        openModelRadio.setSelected(vm.teacherSourceProperty().get() == DistillViewModel.TeacherSource.OPEN_MODEL);
        trainHereRadio.setSelected(!openModelRadio.isSelected());
        openModelRadio.selectedProperty().addListener((_, _, on) -> {
            if (on) vm.teacherSourceProperty().set(DistillViewModel.TeacherSource.OPEN_MODEL);
        });
        trainHereRadio.selectedProperty().addListener((_, _, on) -> {
            if (on) vm.teacherSourceProperty().set(DistillViewModel.TeacherSource.TRAINED_HERE);
        });
        vm.teacherSourceProperty().addListener((_, _, s) -> {
            openModelRadio.setSelected(s == DistillViewModel.TeacherSource.OPEN_MODEL);
            trainHereRadio.setSelected(s == DistillViewModel.TeacherSource.TRAINED_HERE);
        });
        teacherTrainGrid.disableProperty().bind(trainHereRadio.selectedProperty().not());
        teacherSpecField.textProperty().bindBidirectional(vm.teacherSpecProperty());
        teacherEpochsSpinner.setValueFactory(integers(1, 1000, 1, vm.teacherEpochsProperty()));
        trainTeacherButton.setOnAction(_ -> vm.trainTeacher());
        trainTeacherButton.disableProperty().bind(vm.trainedTeacherJob().runningProperty()
                .or(vm.run().runningProperty()).or(Bindings.createBooleanBinding(
                        () -> vm.data().trainProperty().get().isEmpty(), vm.data().trainProperty())));
        showWhile(teacherProgressBox, vm.trainedTeacherJob().runningProperty());
        teacherProgress.progressProperty().bind(vm.trainedTeacherJob().progressProperty());
        teacherCancelButton.setOnAction(_ -> vm.trainedTeacherJob().cancel());
        for (var o : new javafx.beans.Observable[]{vm.teacherProperty(), vm.teacherSourceProperty(),
                vm.trainedTeacherJob().stateProperty(), vm.teacherAccuracy().stateProperty(), vm.problemProperty()}) {
            o.addListener(_ -> showTeacher());
        }
        showTeacher();
    }

    private void showTeacher() {
        DistillViewModel.Teacher t = vm.teacherProperty().get();
        teacherLabel.getStyleClass().remove("state-error");
        if (t != null) {
            var a = t.model().architecture();
            long params = a.parameterCount();
            String accuracy = switch (vm.teacherAccuracy().state()) {
                case Async.Done<DistillViewModel.TeacherAccuracy>(var m) when m.teacher() == t ->
                        "top-1 " + Numbers.percent(m.top1()) + " on " + Numbers.grouped(m.images()) + " validation images"
                        + (m.top1() < 2.0 / a.classes() ? ". It barely beats chance on them: choose the data it was"
                                + " trained for, or train a teacher here" : "");
                case Async.Failed<DistillViewModel.TeacherAccuracy>(String message) -> message;
                case Async.Running<DistillViewModel.TeacherAccuracy> _ -> "its accuracy is being measured";
                default -> vm.data().testProperty().get().isEmpty() ? "no validation images to measure it on" : "";
            };
            teacherLabel.setText("Teacher: " + t.label() + "\n" + Numbers.grouped(params) + " parameters ("
                    + (a.spec().isEmpty() ? "no hidden layer" : a.spec()) + ")" + (accuracy.isEmpty() ? "." : ", " + accuracy + "."));
            return;
        }
        Async<DistillViewModel.Teacher> s = vm.teacherState();
        teacherLabel.setText(switch (s) {
            case Async.Running<DistillViewModel.Teacher> _ -> vm.teacherSourceProperty().get() == DistillViewModel.TeacherSource.OPEN_MODEL
                    ? "Reading the open model…" : "Training the teacher on the training images…";
            case Async.Failed<DistillViewModel.Teacher>(String message) -> message;
            case Async.Cancelled<DistillViewModel.Teacher> _ -> "The teacher's training was cancelled.";
            case Async.Idle<DistillViewModel.Teacher> _, Async.Done<DistillViewModel.Teacher> _ ->
                    vm.teacherSourceProperty().get() == DistillViewModel.TeacherSource.TRAINED_HERE
                            ? "Press Train teacher: it learns the training images for the epochs given." : "";
        });
        if (s instanceof Async.Failed<?>) teacherLabel.getStyleClass().add("state-error");
    }

    // ---- student ----

    private void setUpStudent() {
        studentSpecField.textProperty().bindBidirectional(vm.studentSpecProperty());
        vm.presets().addListener((ListChangeListener<StudentPreset>) _ -> showPresets());
        showPresets();
        vm.studentProperty().addListener((_, _, _) -> showStudent());
        showStudent();
    }

    private void showPresets() {
        presetsPane.getChildren().clear();
        for (StudentPreset p : vm.presets()) {
            Button b = new Button(p.label());
            b.getStyleClass().add("small");
            b.setTooltip(new Tooltip(p.spec()));
            b.setOnAction(_ -> vm.studentSpecProperty().set(p.spec()));
            presetsPane.getChildren().add(b);
        }
    }

    private void showStudent() {
        switch (vm.studentProperty().get()) {
            case StudentCheck.Valid v -> {
                String ratio = v.ratio().isPresent()
                        ? String.format(Locale.ROOT, ", %.1f %% of the teacher", 100 * v.ratio().getAsDouble()) : "";
                studentSummary.setText(Numbers.grouped(v.parameters()) + " parameters, " + Numbers.bytes(v.f32Bytes())
                        + " in F32" + ratio);
                studentProblem.setText("");
            }
            case StudentCheck.Invalid i -> {
                studentSummary.setText("");
                studentProblem.setText(i.message());
            }
            case null -> {
                studentSummary.setText("");
                studentProblem.setText("");
            }
        }
        collapseWhenEmpty(studentSummary);
        collapseWhenEmpty(studentProblem);
    }

    // ---- settings ----

    private void setUpSettings() {
        temperatureSpinner.setValueFactory(doubles(0.5, 50, 0.5, vm.temperatureProperty()));
        alphaSpinner.setValueFactory(doubles(0, 1, 0.05, vm.alphaProperty()));
        epochsSpinner.setValueFactory(integers(1, 1000, 1, vm.epochsProperty()));
        batchSpinner.setValueFactory(integers(1, 8192, 16, vm.batchSizeProperty()));
        learningRateField.textProperty().bindBidirectional(vm.learningRateProperty());
        optimizerCombo.setItems(FXCollections.observableArrayList(RunSettings.OptimizerChoice.values()));
        optimizerCombo.valueProperty().bindBidirectional(vm.optimizerProperty());
        patienceSpinner.setValueFactory(integers(0, 1000, 1, vm.patienceProperty()));
        augmentCombo.setItems(FXCollections.observableArrayList(RunSettings.AugmentChoice.values()));
        augmentCombo.valueProperty().bindBidirectional(vm.augmentProperty());
        keepBestCheck.selectedProperty().bindBidirectional(vm.keepBestProperty());
        labelsOnlyCheck.selectedProperty().bindBidirectional(vm.withLabelsOnlyProperty());
    }

    // ---- data ----

    private void setUpData() {
        vm.data().trainProperty().addListener((_, _, _) -> showData());
        vm.data().testProperty().addListener((_, _, _) -> showData());
        trainLimitSpinner.setValueFactory(integers(0, 10_000_000, 1000, vm.trainLimitProperty()));
        validationLimitSpinner.setValueFactory(integers(0, 10_000_000, 1000, vm.validationLimitProperty()));
        chooseTrainButton.setOnAction(_ -> chooseData("Training images", vm.data().trainProperty()));
        chooseValidationButton.setOnAction(_ -> chooseData("Validation images", vm.data().testProperty()));
        showData();
    }

    private void showData() {
        describe(trainDataLabel, vm.data().trainProperty().get(), "none chosen");
        describe(validationDataLabel, vm.data().testProperty().get(), "none: no validation curves");
        dataProblem.setText(vm.data().trainProperty().get().isEmpty()
                ? "Choose the training images (IDX, as MNIST's train-images-idx3-ubyte.gz)." : "");
        collapseWhenEmpty(dataProblem);
    }

    private static void describe(Label label, Optional<IdxPair> pair, String none) {
        label.setText(pair.map(p -> IdxFiles.shortName(p.images())).orElse(none));
        label.setTooltip(pair.map(p -> new Tooltip(p.images() + "\n" + p.labels())).orElse(null));
    }

    /** Asks for an images file, then takes its labels from beside it, or asks for them when they are not there. */
    private void chooseData(String title, ObjectProperty<Optional<IdxPair>> into) {
        FileChooser chooser = new FileChooser();
        chooser.setTitle(title);
        chooser.getExtensionFilters().addAll(new FileChooser.ExtensionFilter("IDX files", "*-ubyte", "*-ubyte.gz", "*.idx", "*.gz"),
                new FileChooser.ExtensionFilter("All files", "*"));
        into.get().map(p -> p.images().getParent()).map(Path::toFile).filter(File::isDirectory).ifPresent(chooser::setInitialDirectory);
        File images = chooser.showOpenDialog(window());
        if (images == null) return;
        Optional<Path> labels = IdxFiles.labelsBeside(images.toPath());
        if (labels.isEmpty()) {
            chooser.setTitle("Labels of " + images.getName());
            chooser.setInitialDirectory(images.getParentFile());
            File chosen = chooser.showOpenDialog(window());
            if (chosen == null) return;
            labels = Optional.of(chosen.toPath());
        }
        into.set(Optional.of(new IdxPair(images.toPath().toAbsolutePath().normalize(), labels.get().toAbsolutePath().normalize())));
    }

    // ---- run ----

    private void setUpRun() {
        startButton.setOnAction(_ -> vm.startRun());
        startButton.disableProperty().bind(vm.run().runningProperty().or(vm.problemProperty().isNotEmpty()));
        showWhile(runProgressBox, vm.run().runningProperty());
        runProgress.progressProperty().bind(vm.run().progressProperty());
        runCancelButton.setOnAction(_ -> vm.run().cancel());
        vm.estimate().stateProperty().addListener((_, _, _) -> showEstimate());
        vm.problemProperty().addListener((_, _, _) -> showEstimate());
        vm.run().runningProperty().addListener((_, _, _) -> showEstimate());
        vm.run().stateProperty().addListener((_, _, s) -> showRun(s));
        vm.resultProperty().addListener((_, _, _) -> showResult());
        vm.teacherProperty().addListener((_, _, _) -> showResult());
        showEstimate();
        showRun(vm.run().state());
        showResult();
    }

    private void showEstimate() {
        estimateLabel.getStyleClass().remove("state-error");
        if (vm.run().runningProperty().get()) {
            estimateLabel.setText(vm.estimate().state() instanceof Async.Done<DistillViewModel.Estimate>(var e)
                    ? "Estimated " + duration(e.time()) + "." : "");
            return;
        }
        String problem = vm.problemProperty().get();
        if (!problem.isEmpty()) {
            estimateLabel.setText(problem);
            return;
        }
        estimateLabel.setText(switch (vm.estimate().state()) {
            case Async.Done<DistillViewModel.Estimate>(DistillViewModel.Estimate e) -> estimateText(e);
            case Async.Running<DistillViewModel.Estimate> _ -> "Estimating the time…";
            case Async.Failed<DistillViewModel.Estimate>(String message) -> message;
            case Async.Idle<DistillViewModel.Estimate> _, Async.Cancelled<DistillViewModel.Estimate> _ -> "";
        });
        if (vm.estimate().state() instanceof Async.Failed<?>) estimateLabel.getStyleClass().add("state-error");
    }

    static String estimateText(DistillViewModel.Estimate e) {
        String students = e.withLabelsOnly() ? "both students" : "the distilled student";
        String validation = e.validationImages() > 0 ? ", validated on " + Numbers.grouped(e.validationImages()) : "";
        return "About " + duration(e.time()) + " for " + students + ", " + e.epochs() + (e.epochs() == 1 ? " epoch" : " epochs")
                + " of " + Numbers.grouped(e.trainImages()) + " images" + validation + ".";
    }

    static String duration(Duration d) {
        long s = Math.round(d.toMillis() / 1000.0);
        if (s < 1) return "a second";
        if (s < 60) return s + " s";
        if (s < 3600) return (s / 60) + " min " + (s % 60) + " s";
        return (s / 3600) + " h " + (s % 3600 / 60) + " min";
    }

    private void showRun(Async<DistillationResult> s) {
        runStatus.getStyleClass().remove("state-error");
        runStatus.setText(switch (s) {
            case Async.Idle<DistillationResult> _ -> "";
            case Async.Running<DistillationResult> _ -> vm.withLabelsOnlyProperty().get()
                    ? "Training the distilled student and the labels-only one, an epoch each in turn."
                    : "Training the distilled student.";
            // The two runs advance in turn from one start, so the later one's time is the whole run's.
            case Async.Done<DistillationResult>(DistillationResult r) -> "Finished in "
                    + duration(max(r.distilledRun().elapsed(), r.labelsOnlyRun().map(TrainingResult::elapsed).orElse(Duration.ZERO)))
                    + "." + ending("The distilled student", r.distilledRun())
                    + r.labelsOnlyRun().map(l -> ending("The labels-only student", l)).orElse("");
            case Async.Cancelled<DistillationResult> _ -> "Cancelled: the curves so far stay; press Start to train again.";
            case Async.Failed<DistillationResult>(String message) -> message;
        });
        if (s instanceof Async.Failed<?>) runStatus.getStyleClass().add("state-error");
        collapseWhenEmpty(runStatus);
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    private static String ending(String who, TrainingResult r) {
        if (!r.stoppedEarly()) return "";
        return " " + who + " stopped early after " + r.epochs().size() + " epochs.";
    }

    private void showResult() {
        DistillationResult r = vm.resultProperty().get();
        exportDistilledButton.setDisable(r == null);
        exportLabelsOnlyButton.setDisable(r == null || r.labelsOnly().isEmpty());
        if (r == null) {
            resultLabel.setText("Both students' top-1 on the validation images show here once the run ends.");
            return;
        }
        StringBuilder text = new StringBuilder();
        text.append(row("distilled", r.distilledRun(), r.distilled().architecture().parameterCount()));
        r.labelsOnlyRun().ifPresent(l -> text.append('\n').append(row("labels only", l, r.distilled().architecture().parameterCount())));
        r.teacherValidationAccuracy().ifPresent(a -> text.append('\n').append(String.format(Locale.ROOT, "%-12s top-1 %s", "teacher", Numbers.percent(a))));
        resultLabel.setText(text.toString());
    }

    private static String row(String who, TrainingResult r, long parameters) {
        OptionalDouble top1 = keptReport(r).map(EpochReport::validationAccuracy).orElse(OptionalDouble.empty());
        String accuracy = top1.isPresent() ? "top-1 " + Numbers.percent(top1.getAsDouble()) : "no validation set";
        return String.format(Locale.ROOT, "%-12s %s, epoch %d kept, %s parameters", who, accuracy, r.keptEpoch(),
                Numbers.grouped(parameters));
    }

    private static Optional<EpochReport> keptReport(TrainingResult r) {
        return r.epochs().stream().filter(e -> e.epoch() == r.keptEpoch()).findFirst();
    }

    // ---- charts ----

    private void setUpCharts() {
        lossState = new StatePane(charts.lossViewer(), CURVES_IDLE, "Cancelled: press Start to train again.");
        accuracyState = new StatePane(charts.accuracyViewer(), CURVES_IDLE, "Cancelled: press Start to train again.");
        HBox both = new HBox(8, lossState, accuracyState);
        both.getStyleClass().add("distill-charts");
        HBox.setHgrow(lossState, Priority.ALWAYS);
        HBox.setHgrow(accuracyState, Priority.ALWAYS);
        lossState.setPrefWidth(400);
        accuracyState.setPrefWidth(400);
        chartsHost.getChildren().setAll(both);
        vm.curvesVersionProperty().addListener((_, _, _) -> showCurves());
        vm.run().stateProperty().addListener((_, _, _) -> showCurves());
        showCurves();
    }

    private void showCurves() {
        DistillCurves curves = vm.curves();
        charts.show(curves);
        boolean any = curves.has(StudentRun.DISTILLED) || curves.has(StudentRun.LABELS_ONLY);
        Async<Object> state = any ? new Async.Done<>(curves)
                : vm.run().runningProperty().get() ? new Async.Running<>()
                : vm.run().state() instanceof Async.Failed<DistillationResult>(String m) ? new Async.Failed<>(m)
                : vm.run().state() instanceof Async.Cancelled<?> ? new Async.Cancelled<>()
                : Async.idle();
        lossState.show(state);
        accuracyState.show(state);
    }

    // ---- export ----

    private void setUpExport() {
        exportDistilledButton.setOnAction(_ -> chooseExport(StudentRun.DISTILLED));
        exportLabelsOnlyButton.setOnAction(_ -> chooseExport(StudentRun.LABELS_ONLY));
        showWhile(exportProgressBox, vm.export().runningProperty());
        exportProgress.progressProperty().bind(vm.export().progressProperty());
        exportCancelButton.setOnAction(_ -> vm.export().cancel());
        vm.export().stateProperty().addListener((_, _, s) -> showExport(s));
        showExport(vm.export().state());
    }

    private void chooseExport(StudentRun which) {
        DistillationResult r = vm.resultProperty().get();
        if (r == null) return;
        FileChooser chooser = new FileChooser();
        chooser.setTitle(which == StudentRun.DISTILLED ? "Export the distilled student" : "Export the labels-only student");
        chooser.getExtensionFilters().add(new FileChooser.ExtensionFilter("safetensors", "*.safetensors"));
        chooser.setInitialDirectory(exportFolders.initialFor(vm.source()).toFile());
        chooser.setInitialFileName(StudentFiles.exportName(r.distilled().architecture().spec(), which));
        File file = chooser.showSaveDialog(window());
        if (file == null) return;
        exportFolders.remember(file.toPath());
        export(which, file.toPath());
    }

    /** Exports a student to {@code target}, refusing the open model's own file. */
    public void export(StudentRun which, Path target) {
        if (vm.isOpenFile(target)) {
            exportStatus.getStyleClass().add("state-error");
            exportStatus.setText("Choose another file: that is the model being read.");
            return;
        }
        vm.exportTo(which, target);
    }

    private void showExport(Async<ExportedClassifier> s) {
        exportStatus.getStyleClass().remove("state-error");
        exportStatus.setText(switch (s) {
            case Async.Idle<ExportedClassifier> _, Async.Running<ExportedClassifier> _ -> "";
            case Async.Done<ExportedClassifier>(ExportedClassifier e) -> "Wrote " + e.file() + " (" + Numbers.bytes(e.bytes())
                    + (Double.isNaN(e.top1()) ? "" : ", top-1 " + Numbers.percent(e.top1())) + "); it is on the Trade-off page.";
            case Async.Cancelled<ExportedClassifier> _ -> "Export cancelled: nothing was written.";
            case Async.Failed<ExportedClassifier>(String message) -> "Export failed: " + message;
        });
        if (s instanceof Async.Failed<?>) exportStatus.getStyleClass().add("state-error");
        collapseWhenEmpty(exportStatus);
    }

    // ---- helpers ----

    private static SpinnerValueFactory<Integer> integers(int min, int max, int step, ObjectProperty<Integer> value) {
        var f = new SpinnerValueFactory.IntegerSpinnerValueFactory(min, max, value.get(), step);
        f.valueProperty().bindBidirectional(value);
        return f;
    }

    private static SpinnerValueFactory<Double> doubles(double min, double max, double step, ObjectProperty<Double> value) {
        var f = new SpinnerValueFactory.DoubleSpinnerValueFactory(min, max, value.get(), step);
        f.valueProperty().bindBidirectional(value);
        return f;
    }

    private static void showWhile(Node node, javafx.beans.value.ObservableBooleanValue condition) {
        node.visibleProperty().bind(condition);
        node.managedProperty().bind(condition);
    }

    private static void collapseWhenEmpty(Label label) {
        boolean show = label.getText() != null && !label.getText().isEmpty();
        label.setVisible(show);
        label.setManaged(show);
    }

    private static String fileName(Path p) {
        Path name = p.getFileName();
        return name == null ? p.toString() : name.toString();
    }

    private Window window() {
        return startButton.getScene() == null ? null : startButton.getScene().getWindow();
    }
}
