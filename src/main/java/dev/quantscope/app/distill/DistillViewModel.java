package dev.quantscope.app.distill;

import dev.quantscope.app.common.Async;
import dev.quantscope.app.common.BackgroundJob;
import dev.quantscope.app.common.Numbers;
import dev.quantscope.app.document.ClassifierData;
import dev.quantscope.app.document.ClassifierData.IdxPair;
import dev.quantscope.app.document.ClassifierExports;
import dev.quantscope.app.document.ExportedClassifier;
import dev.quantscope.app.document.ModelSession;
import dev.quantscope.app.document.OpenClassifier;
import dev.quantscope.distill.Distillation;
import dev.quantscope.distill.DistillationListener;
import dev.quantscope.distill.DistillationResult;
import dev.quantscope.distill.StudentRun;
import dev.quantscope.engine.classifier.Accuracy;
import dev.quantscope.engine.classifier.Architecture;
import dev.quantscope.engine.classifier.Classifier;
import dev.quantscope.engine.classifier.InputShape;
import dev.quantscope.engine.classifier.LabeledImages;
import dev.quantscope.task.ProgressMonitor;
import dev.quantscope.train.EpochReport;
import dev.quantscope.train.Trainer;
import dev.quantscope.train.TrainingListener;
import dev.quantscope.train.TrainingResult;
import javafx.animation.Animation;
import javafx.animation.KeyFrame;
import javafx.animation.PauseTransition;
import javafx.animation.Timeline;
import javafx.beans.Observable;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyIntegerProperty;
import javafx.beans.property.ReadOnlyIntegerWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.util.Duration;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * State of the Distill page of one open classifier: the teacher (the open model, or one trained here from a SPEC),
 * the student being edited with its size, the distillation and training settings, the data (the document's training
 * and test splits, each cut to its first N images), the time estimate made before Start, the run of both students in
 * the background with their live curves, and the export of either student. Jobs are latest-request-wins; everything
 * here is touched on the FX thread, and the training thread's reports reach it through a queue drained a few times a second.
 */
public final class DistillViewModel {
    /** The input of the IDX images the page reads; a teacher file that says otherwise keeps its own. */
    public static final InputShape IMAGES = InputShape.image(28, 28);
    /** Time to wait after the last edit before estimating again: estimating trains a few batches. */
    static final Duration ESTIMATE_DEBOUNCE = Duration.millis(400);
    static final Duration REDRAW_EVERY = Duration.millis(200);
    public static final String DEFAULT_STUDENT = "fc:32";
    public static final String DEFAULT_TEACHER = "fc:512,fc:256";

    public enum TeacherSource { OPEN_MODEL, TRAINED_HERE }

    /** A teacher ready to distil from: its weights and where they came from. */
    public record Teacher(Classifier model, String label) {}

    /** The estimate made before Start: both runs' time, on how many images. */
    public record Estimate(java.time.Duration time, int trainImages, int validationImages, boolean withLabelsOnly, int epochs) {}

    /** The teacher's top-1 on the validation images, and on how many. */
    public record TeacherAccuracy(Teacher teacher, double top1, int images) {}

    private final ModelSession session;
    private final OpenClassifier openClassifier;
    private final ClassifierData data;
    private final ClassifierExports exports;
    private final DataSets dataSets = new DataSets();
    private final int threads = Math.max(1, Runtime.getRuntime().availableProcessors());

    private final ObjectProperty<TeacherSource> teacherSource = new SimpleObjectProperty<>(TeacherSource.OPEN_MODEL);
    private final StringProperty teacherSpec = new SimpleStringProperty(DEFAULT_TEACHER);
    private final ObjectProperty<Integer> teacherEpochs = new SimpleObjectProperty<>(3);
    private final StringProperty studentSpec = new SimpleStringProperty(DEFAULT_STUDENT);
    private final ObjectProperty<Double> temperature = new SimpleObjectProperty<>(dev.quantscope.distill.DistillationSettings.DEFAULT.temperature());
    private final ObjectProperty<Double> alpha = new SimpleObjectProperty<>(dev.quantscope.distill.DistillationSettings.DEFAULT.alpha());
    private final ObjectProperty<Integer> epochs = new SimpleObjectProperty<>(5);
    private final ObjectProperty<Integer> batchSize = new SimpleObjectProperty<>(64);
    private final StringProperty learningRate = new SimpleStringProperty("0.001");
    private final ObjectProperty<RunSettings.OptimizerChoice> optimizer = new SimpleObjectProperty<>(RunSettings.OptimizerChoice.ADAM);
    private final ObjectProperty<Integer> patience = new SimpleObjectProperty<>(0);
    private final BooleanProperty keepBest = new SimpleBooleanProperty(true);
    private final ObjectProperty<RunSettings.AugmentChoice> augment = new SimpleObjectProperty<>(RunSettings.AugmentChoice.NONE);
    private final BooleanProperty withLabelsOnly = new SimpleBooleanProperty(true);
    /** The first N images of each split (0: all of them). */
    private final ObjectProperty<Integer> trainLimit = new SimpleObjectProperty<>(6000);
    private final ObjectProperty<Integer> validationLimit = new SimpleObjectProperty<>(2000);

    private final ReadOnlyObjectWrapper<Teacher> teacher = new ReadOnlyObjectWrapper<>();
    private final ReadOnlyObjectWrapper<StudentCheck> student = new ReadOnlyObjectWrapper<>();
    private final ObservableList<StudentPreset> presets = FXCollections.observableArrayList();
    private final ReadOnlyStringWrapper problem = new ReadOnlyStringWrapper("");
    private final BackgroundJob<Teacher> trainedTeacher;
    private final BackgroundJob<Estimate> estimate;
    private final BackgroundJob<TeacherAccuracy> teacherAccuracy;
    private final BackgroundJob<DistillationResult> run;
    private final BackgroundJob<ExportedClassifier> export;
    private final ReadOnlyObjectWrapper<DistillationResult> result = new ReadOnlyObjectWrapper<>();
    private final DistillCurves curves = new DistillCurves();
    /** Counts changes of {@link #curves()}: the charts redraw when it moves. */
    private final ReadOnlyIntegerWrapper curvesVersion = new ReadOnlyIntegerWrapper();
    private final PauseTransition debounce = new PauseTransition(ESTIMATE_DEBOUNCE);
    private final Queue<Runnable> reports = new ConcurrentLinkedQueue<>();
    /**
     * Takes the training thread's reports onto the curves a few times a second while a run goes: a small student
     * trains a batch in a millisecond, and redrawing the charts for each would keep the FX thread busy on a core the
     * training needs.
     */
    private final Timeline redraw = new Timeline(new KeyFrame(REDRAW_EVERY, _ -> drainReports()));
    /** Which run the queued reports belong to: a cancelled run's late reports are dropped. */
    private int runGeneration;
    private boolean started;

    public DistillViewModel(ModelSession session, OpenClassifier openClassifier, ClassifierData data,
                            ClassifierExports exports, Executor executor) {
        this.session = session;
        this.openClassifier = openClassifier;
        this.data = data;
        this.exports = exports;
        this.trainedTeacher = new BackgroundJob<>(executor);
        this.estimate = new BackgroundJob<>(executor);
        this.teacherAccuracy = new BackgroundJob<>(executor);
        this.run = new BackgroundJob<>(executor);
        this.export = new BackgroundJob<>(executor);
        debounce.setOnFinished(_ -> requestEstimate());
        redraw.setCycleCount(Animation.INDEFINITE);
        openClassifier.stateProperty().addListener((_, _, _) -> refreshTeacher());
        trainedTeacher.stateProperty().addListener((_, _, _) -> refreshTeacher());
        teacherSource.addListener((_, _, _) -> refreshTeacher());
        // While a new teacher trains, the last one's presets stay: the editor keeps its buttons.
        teacher.addListener((_, _, t) -> { if (t != null) presets.setAll(StudentPreset.forTeacher(t.model().architecture())); });
        for (Observable o : List.<Observable>of(teacher, data.testProperty(), validationLimit)) o.addListener(_ -> measureTeacher());
        teacherAccuracy.stateProperty().addListener((_, _, _) -> {
            // The line on the chart is the teacher's of the run drawn; before any run, the one chosen now.
            if (!curves.has(StudentRun.DISTILLED)) {
                curves.setTeacherAccuracy(teacherTop1());
                curvesVersion.set(curvesVersion.get() + 1);
            }
        });
        for (Observable o : List.<Observable>of(studentSpec, teacher, temperature, alpha, epochs, batchSize, learningRate,
                optimizer, patience, keepBest, augment, withLabelsOnly, trainLimit, validationLimit, data.trainProperty(),
                data.testProperty(), run.runningProperty(), teacherSource, openClassifier.stateProperty(),
                trainedTeacher.stateProperty())) {
            o.addListener(_ -> revise());
        }
        run.stateProperty().addListener((_, _, s) -> finishRun(s));
        refreshTeacher();
        export.stateProperty().addListener((_, _, s) -> {
            if (s instanceof Async.Done<ExportedClassifier>(ExportedClassifier e)) exports.list().add(e);
        });
        revise();
    }

    // ---- the teacher ----

    /** Starts estimating: until the page is first shown, no batch is trained for an estimate. Idempotent. */
    public void start() {
        if (started) return;
        started = true;
        revise();
    }

    /** Trains a teacher from {@link #teacherSpecProperty()} on the training split, validated as the students will be. */
    public void trainTeacher() {
        Optional<IdxPair> trainPair = data.trainProperty().get();
        if (trainPair.isEmpty()) return;
        Optional<IdxPair> validationPair = data.testProperty().get();
        String spec = teacherSpec.get() == null ? "" : teacherSpec.get().strip();
        int teacherEpochCount = teacherEpochs.get();
        int trainN = trainLimit.get(), validationN = validationLimit.get();
        RunSettings settings = runSettings(teacherEpochCount);
        if (!(settings instanceof RunSettings.Valid(var training, var _))) return;
        teacherSource.set(TeacherSource.TRAINED_HERE);
        trainedTeacher.submit("Training the teacher", m -> {
            LabeledImages train = dataSets.first(trainPair.get(), trainN);
            Optional<LabeledImages> validation = validationPair.map(p -> dataSets.first(p, validationN));
            Architecture architecture = Architecture.parse(spec, train.shape(), train.classes());
            Classifier model = Classifier.initialized(architecture, RunSettings.SEED);
            TrainingResult r = new Trainer(training).fit(model, train, validation, Trainer.crossEntropy(train),
                    new TrainingListener() {
                        @Override
                        public void onBatch(long step, long totalSteps, double loss) {
                            m.progress(step + 1, totalSteps);
                        }
                    }, m::isCancelled);
            if (r.cancelled()) throw new java.util.concurrent.CancellationException("cancelled");
            return new Teacher(model, "trained here, " + r.epochs().size() + (r.epochs().size() == 1 ? " epoch" : " epochs")
                    + " on " + Numbers.grouped(train.count()) + " images");
        });
    }

    private void refreshTeacher() {
        Teacher ready = teacherState() instanceof Async.Done<Teacher>(Teacher t) ? t : null;
        // The open model's state maps to a new Teacher record each time: the same weights are the same teacher.
        Teacher now = teacher.get();
        if (ready == null || now == null || ready.model() != now.model()) teacher.set(ready);
    }

    /** The open model as a teacher: the document reads it once, in the background, for every classifier page. */
    public Async<Teacher> openTeacherState() {
        return switch (openClassifier.stateProperty().get()) {
            case Async.Done<Classifier>(Classifier c) -> new Async.Done<>(new Teacher(c, fileName(session.model().source())));
            case Async.Failed<Classifier>(String message) -> new Async.Failed<>(message);
            case Async.Running<Classifier> _ -> new Async.Running<>();
            case Async.Idle<Classifier> _ -> Async.idle();
            case Async.Cancelled<Classifier> _ -> new Async.Cancelled<>();
        };
    }

    /** Measures the teacher's top-1 on the validation images, for its line on the accuracy chart. */
    private void measureTeacher() {
        Teacher t = teacher.get();
        Optional<IdxPair> validationPair = data.testProperty().get();
        if (t == null || validationPair.isEmpty()) {
            teacherAccuracy.reset();
            return;
        }
        int validationN = validationLimit.get();
        teacherAccuracy.submit("Measuring the teacher", _ -> {
            LabeledImages validation = dataSets.first(validationPair.get(), validationN);
            return new TeacherAccuracy(t, Accuracy.measure(t.model(), validation, threads, 0).top1(), validation.count());
        });
    }

    /** The chosen teacher's measured top-1, once known. */
    public OptionalDouble teacherTop1() {
        return teacherAccuracy.state() instanceof Async.Done<TeacherAccuracy>(TeacherAccuracy a) && a.teacher() == teacher.get()
                ? OptionalDouble.of(a.top1()) : OptionalDouble.empty();
    }

    /** The state of the teacher now chosen: it says why no teacher is ready yet. */
    public Async<Teacher> teacherState() {
        return teacherSource.get() == TeacherSource.OPEN_MODEL ? openTeacherState() : trainedTeacher.state();
    }

    // ---- the student, the settings and the estimate ----

    private void revise() {
        Teacher t = teacher.get();
        InputShape input = t == null ? IMAGES : t.model().architecture().input();
        int classes = t == null ? 10 : t.model().architecture().classes();
        student.set(StudentCheck.of(studentSpec.get(), input, classes,
                t == null ? OptionalLong.empty() : OptionalLong.of(t.model().architecture().parameterCount())));
        problem.set(problemNow());
        if (started && problem.get().isEmpty() && !run.runningProperty().get()) {
            debounce.playFromStart();
        } else {
            debounce.stop();
            if (!problem.get().isEmpty()) estimate.reset();
        }
    }

    /** Why Start cannot run now, in one sentence, or "" when it can. */
    private String problemNow() {
        if (data.trainProperty().get().isEmpty()) return "Choose a training set (IDX images and labels).";
        if (student.get() instanceof StudentCheck.Invalid(String message)) return message;
        if (runSettings(epochs.get()) instanceof RunSettings.Invalid(String message)) return message;
        if (trainedTeacher.runningProperty().get()) return "The teacher is being trained.";
        if (teacher.get() == null) {
            return switch (teacherState()) {
                case Async.Failed<Teacher>(String message) -> message;
                case Async.Running<Teacher> _ -> "The teacher is being read.";
                case Async.Idle<Teacher> _, Async.Done<Teacher> _ -> teacherSource.get() == TeacherSource.TRAINED_HERE
                        ? "Train the teacher first." : "The teacher is not read yet.";
                case Async.Cancelled<Teacher> _ -> teacherSource.get() == TeacherSource.TRAINED_HERE
                        ? "The teacher's training was cancelled: train it again." : "Reading the teacher was cancelled.";
            };
        }
        return "";
    }

    private RunSettings runSettings(int epochCount) {
        return RunSettings.of(epochCount, batchSize.get(), learningRate.get(), optimizer.get(), patience.get(),
                keepBest.get(), temperature.get(), alpha.get(), augment.get(), threads);
    }

    private void requestEstimate() {
        Teacher t = teacher.get();
        if (!started || t == null || !problem.get().isEmpty() || run.runningProperty().get()
                || !(student.get() instanceof StudentCheck.Valid s)
                || !(runSettings(epochs.get()) instanceof RunSettings.Valid(var training, var kd))) {
            return;
        }
        IdxPair trainPair = data.trainProperty().get().orElseThrow();
        Optional<IdxPair> validationPair = data.testProperty().get();
        int trainN = trainLimit.get(), validationN = validationLimit.get();
        boolean labelsOnly = withLabelsOnly.get();
        estimate.submit("Estimating the time", _ -> {
            LabeledImages train = dataSets.first(trainPair, trainN);
            Optional<LabeledImages> validation = validationPair.map(p -> dataSets.first(p, validationN));
            java.time.Duration time = new Distillation(t.model(), s.architecture(), training, kd, labelsOnly).estimate(train);
            return new Estimate(time, train.count(), validation.map(LabeledImages::count).orElse(0), labelsOnly, training.epochs());
        });
    }

    // ---- the run ----

    /** Distils the student (and trains it on labels alone, when asked) in the background, feeding the curves as it goes. */
    public void startRun() {
        Teacher t = teacher.get();
        if (t == null || !problem.get().isEmpty() || !(student.get() instanceof StudentCheck.Valid s)
                || !(runSettings(epochs.get()) instanceof RunSettings.Valid(var training, var kd))) {
            return;
        }
        IdxPair trainPair = data.trainProperty().get().orElseThrow();
        Optional<IdxPair> validationPair = data.testProperty().get();
        int trainN = trainLimit.get(), validationN = validationLimit.get();
        boolean labelsOnly = withLabelsOnly.get();
        int generation = ++runGeneration;
        reports.clear();
        curves.clear();
        curves.setTeacherAccuracy(teacherTop1());
        result.set(null);
        export.reset();
        curvesVersion.set(curvesVersion.get() + 1);
        debounce.stop();
        estimate.cancel();
        int runs = labelsOnly ? 2 : 1;
        redraw.playFromStart();
        run.submit("Distilling " + s.architecture().spec(), m -> {
            LabeledImages train = dataSets.first(trainPair, trainN);
            Optional<LabeledImages> validation = validationPair.map(p -> dataSets.first(p, validationN));
            Distillation distillation = new Distillation(t.model(), s.architecture(), training, kd, labelsOnly);
            return distillation.run(train, validation, listener(generation, training.epochs(), runs, m), m::isCancelled);
        });
    }

    /**
     * Hears both students on the training thread: each report is queued for the FX thread, where the curves take it
     * at the next redraw, and the progress counts both runs' batches.
     */
    private DistillationListener listener(int generation, int epochCount, int runs, ProgressMonitor monitor) {
        AtomicLongArray done = new AtomicLongArray(StudentRun.values().length);
        return new DistillationListener() {
            @Override
            public void onBatch(StudentRun r, long step, long totalSteps, double loss) {
                done.set(r.ordinal(), step + 1);
                long all = 0;
                for (int i = 0; i < done.length(); i++) all += done.get(i);
                monitor.progress(all, totalSteps * runs);
                report(generation, () -> curves.addBatch(r, step, totalSteps, epochCount, loss));
            }

            @Override
            public void onEpoch(StudentRun r, EpochReport epoch) {
                report(generation, () -> curves.addEpoch(r, epoch));
            }
        };
    }

    private void report(int generation, Runnable change) {
        reports.add(() -> { if (generation == runGeneration) change.run(); });
    }

    /** Applies the queued reports at once and redraws once: the batches since the last redraw are one redraw. */
    private void drainReports() {
        boolean any = false;
        for (Runnable r; (r = reports.poll()) != null; any = true) r.run();
        if (any) curvesVersion.set(curvesVersion.get() + 1);
    }

    private void finishRun(Async<DistillationResult> s) {
        if (s instanceof Async.Running<DistillationResult>) return;
        redraw.stop();
        drainReports();
        if (!(s instanceof Async.Done<DistillationResult>(DistillationResult r))) return;
        curves.finish(StudentRun.DISTILLED, r.distilledRun());
        r.labelsOnlyRun().ifPresent(l -> curves.finish(StudentRun.LABELS_ONLY, l));
        if (r.teacherValidationAccuracy().isPresent()) curves.setTeacherAccuracy(r.teacherValidationAccuracy());
        result.set(r);
        curvesVersion.set(curvesVersion.get() + 1);
    }

    // ---- export ----

    /** Whether {@code target} is the open model's own file, which an export must never overwrite. */
    public boolean isOpenFile(Path target) {
        Path source = session.model().source().toAbsolutePath().normalize();
        Path t = target.toAbsolutePath().normalize();
        try {
            return t.equals(source) || Files.exists(t) && Files.isSameFile(t, source);
        } catch (IOException e) {
            return true;   // cannot tell: refuse rather than risk the file being read
        }
    }

    /**
     * Writes a student of the last run as F32 safetensors with its architecture ({@link Classifier#save}: a temporary
     * file, read back, then renamed), measures its top-1 on the validation images, and lists it among the document's
     * exports for the Trade-off page.
     */
    public void exportTo(StudentRun which, Path target) {
        DistillationResult r = result.get();
        if (r == null || isOpenFile(target)) return;
        Optional<Classifier> chosen = which == StudentRun.DISTILLED ? Optional.of(r.distilled()) : r.labelsOnly();
        if (chosen.isEmpty()) return;
        Classifier model = chosen.get();
        Optional<IdxPair> validationPair = data.testProperty().get();
        int validationN = validationLimit.get();
        String label = exportLabel(which, model.architecture().spec());
        export.submit("Exporting " + target.getFileName(), _ -> {
            try {
                model.save(target);
                double top1 = validationPair.map(p -> Accuracy.measure(model, dataSets.first(p, validationN), threads, 0).top1())
                        .orElse(Double.NaN);
                return new ExportedClassifier(label, target, Files.size(target), model.architecture().parameterCount(), top1);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /** How an exported student is named on the Trade-off chart: which student, its SPEC and, distilled, T and α. */
    String exportLabel(StudentRun which, String spec) {
        return switch (which) {
            case DISTILLED -> String.format(java.util.Locale.ROOT, "distilled %s (T %s, α %s)", spec,
                    compact(temperature.get()), compact(alpha.get()));
            case LABELS_ONLY -> "labels only " + spec;
        };
    }

    private static String compact(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }

    private static String fileName(Path p) {
        Path name = p.getFileName();
        return name == null ? p.toString() : name.toString();
    }

    public void cancelAll() {
        debounce.stop();
        redraw.stop();
        trainedTeacher.cancel();
        estimate.cancel();
        teacherAccuracy.cancel();
        run.cancel();
        export.cancel();
    }

    // ---- properties ----

    public ObjectProperty<TeacherSource> teacherSourceProperty() { return teacherSource; }

    public StringProperty teacherSpecProperty() { return teacherSpec; }

    public ObjectProperty<Integer> teacherEpochsProperty() { return teacherEpochs; }

    public StringProperty studentSpecProperty() { return studentSpec; }

    public ObjectProperty<Double> temperatureProperty() { return temperature; }

    public ObjectProperty<Double> alphaProperty() { return alpha; }

    public ObjectProperty<Integer> epochsProperty() { return epochs; }

    public ObjectProperty<Integer> batchSizeProperty() { return batchSize; }

    public StringProperty learningRateProperty() { return learningRate; }

    public ObjectProperty<RunSettings.OptimizerChoice> optimizerProperty() { return optimizer; }

    public ObjectProperty<Integer> patienceProperty() { return patience; }

    public BooleanProperty keepBestProperty() { return keepBest; }

    public ObjectProperty<RunSettings.AugmentChoice> augmentProperty() { return augment; }

    public BooleanProperty withLabelsOnlyProperty() { return withLabelsOnly; }

    public ObjectProperty<Integer> trainLimitProperty() { return trainLimit; }

    public ObjectProperty<Integer> validationLimitProperty() { return validationLimit; }

    public ClassifierData data() { return data; }

    public Path source() { return session.model().source(); }

    public ReadOnlyObjectProperty<Teacher> teacherProperty() { return teacher.getReadOnlyProperty(); }

    public ReadOnlyObjectProperty<StudentCheck> studentProperty() { return student.getReadOnlyProperty(); }

    public ObservableList<StudentPreset> presets() { return presets; }

    public ReadOnlyStringProperty problemProperty() { return problem.getReadOnlyProperty(); }

    public BackgroundJob<Teacher> trainedTeacherJob() { return trainedTeacher; }

    public BackgroundJob<Estimate> estimate() { return estimate; }

    public BackgroundJob<TeacherAccuracy> teacherAccuracy() { return teacherAccuracy; }

    public BackgroundJob<DistillationResult> run() { return run; }

    public BackgroundJob<ExportedClassifier> export() { return export; }

    public ReadOnlyObjectProperty<DistillationResult> resultProperty() { return result.getReadOnlyProperty(); }

    public DistillCurves curves() { return curves; }

    public ReadOnlyIntegerProperty curvesVersionProperty() { return curvesVersion.getReadOnlyProperty(); }
}
