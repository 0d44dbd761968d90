package dev.quantscope.app.accuracy;

import dev.quantscope.app.common.Async;
import dev.quantscope.app.common.BackgroundJob;
import dev.quantscope.app.common.Numbers;
import dev.quantscope.app.document.ClassifierData;
import dev.quantscope.app.document.ClassifierData.IdxPair;
import dev.quantscope.app.document.OpenClassifier;
import dev.quantscope.engine.classifier.Classifier;
import dev.quantscope.engine.classifier.InputScaling;
import dev.quantscope.engine.classifier.LabeledImages;
import dev.quantscope.engine.classifier.Misclassified;
import javafx.beans.Observable;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.Executor;

/**
 * State of the Accuracy page of a classifier document: the test images and labels (the document's test pair, which
 * this page also sets when both files are chosen), how pixels become inputs (scale, then mean and std if given), the
 * run (reading the IDX files and measuring, in the background with progress and Cancel), and which cell of the
 * confusion matrix filters the grid of misclassified images. FX thread only.
 */
public final class AccuracyViewModel {
    /** The grid shows this many images at most: a weak model's thousands of mistakes would make a page of nodes. */
    public static final int MAX_TILES = 200;

    private final OpenClassifier classifier;
    private final ClassifierData data;
    private final ObjectProperty<Path> images = new SimpleObjectProperty<>();
    private final ObjectProperty<Path> labels = new SimpleObjectProperty<>();
    private final StringProperty scale = new SimpleStringProperty("1/255");
    private final StringProperty mean = new SimpleStringProperty("");
    private final StringProperty std = new SimpleStringProperty("");
    private final ReadOnlyStringWrapper problem = new ReadOnlyStringWrapper("");
    private final BackgroundJob<AccuracyReport> job;
    private final ReadOnlyObjectWrapper<AccuracyReport> report = new ReadOnlyObjectWrapper<>();
    private final ObjectProperty<ConfusionCell> selectedCell = new SimpleObjectProperty<>();
    private final ReadOnlyObjectWrapper<List<Misclassified>> shown = new ReadOnlyObjectWrapper<>(List.of());
    private final ReadOnlyStringWrapper gridCaption = new ReadOnlyStringWrapper("");

    public AccuracyViewModel(OpenClassifier classifier, ClassifierData data, Executor executor) {
        this.classifier = classifier;
        this.data = data;
        this.job = new BackgroundJob<>(executor);
        showPair(data.testProperty().get());
        data.testProperty().addListener((_, _, pair) -> showPair(pair));
        for (Observable o : List.<Observable>of(images, labels, scale, mean, std, classifier.stateProperty())) {
            o.addListener(_ -> problem.set(problemOrEmpty()));
        }
        problem.set(problemOrEmpty());
        job.stateProperty().addListener((_, _, s) -> {
            if (s instanceof Async.Done<AccuracyReport>(AccuracyReport r)) {
                selectedCell.set(null);
                report.set(r);
                refilter();
            }
        });
        selectedCell.addListener(_ -> refilter());
    }

    private void showPair(Optional<IdxPair> pair) {
        pair.ifPresent(p -> {
            images.set(p.images());
            labels.set(p.labels());
        });
    }

    /** Chooses the images file; the labels file beside it of the same split is taken too, when there is one. */
    public void chooseImages(Path file) {
        images.set(file);
        IdxFiles.labelsBeside(file).ifPresent(labels::set);
        publishPair();
    }

    public void chooseLabels(Path file) {
        labels.set(file);
        publishPair();
    }

    /** The other pages (Distill's validation, Trade-off) measure on the same pair once both files are chosen. */
    private void publishPair() {
        if (images.get() != null && labels.get() != null) {
            data.testProperty().set(Optional.of(new IdxPair(images.get(), labels.get())));
        }
    }

    /** Reads the files and measures the classifier on them, off the FX thread; a newer run replaces this one. */
    public void run() {
        Optional<Classifier> model = classifier.classifier();
        String why = problemOrEmpty();
        if (!why.isEmpty() || model.isEmpty()) return;
        InputScaling scaling = scaling();
        Path imagesFile = images.get(), labelsFile = labels.get();
        int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
        job.submit("Measuring accuracy", monitor -> {
            LabeledImages set;
            try {
                set = LabeledImages.read(imagesFile, labelsFile, scaling);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            monitor.checkCancelled();
            return new AccuracyReport(ChunkedAccuracy.measure(model.get(), set, threads, monitor), set,
                    ClassNames.of(imagesFile, Math.max(set.classes(), model.get().architecture().classes())), imagesFile);
        });
    }

    public void cancel() {
        job.cancel();
    }

    /** Why Run cannot start now, in one sentence; empty when it can. */
    private String problemOrEmpty() {
        Optional<String> notReady = classifier.notReady();
        if (notReady.isPresent()) return notReady.get();
        if (images.get() == null || labels.get() == null) return "Choose the test images and labels (IDX files, plain or gzip).";
        try {
            scaling();
            return "";
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    /** The scaling the three fields give, or an IllegalArgumentException with one sentence naming the field. */
    public InputScaling scaling() {
        double s = number(scale.get(), "Scale");
        if (!(s > 0)) throw new IllegalArgumentException("Scale must be positive.");
        OptionalDouble m = optional(mean.get(), "Mean"), d = optional(std.get(), "Std");
        if (m.isPresent() != d.isPresent()) throw new IllegalArgumentException("Mean and std go together: give both or neither.");
        if (d.isPresent() && !(d.getAsDouble() > 0)) throw new IllegalArgumentException("Std must be positive.");
        return new InputScaling(s, m, d);
    }

    private static OptionalDouble optional(String text, String field) {
        return text == null || text.isBlank() ? OptionalDouble.empty() : OptionalDouble.of(number(text, field));
    }

    /** A decimal, or a fraction such as 1/255. */
    static double number(String text, String field) {
        String t = text == null ? "" : text.strip();
        try {
            int slash = t.indexOf('/');
            double v = slash < 0 ? Double.parseDouble(t)
                    : Double.parseDouble(t.substring(0, slash).strip()) / Double.parseDouble(t.substring(slash + 1).strip());
            if (Double.isFinite(v)) return v;
        } catch (NumberFormatException notANumber) {
            // said below, naming the field
        }
        throw new IllegalArgumentException(field + " \"" + t + "\" is not a number (write 0.5 or 1/255).");
    }

    private void refilter() {
        AccuracyReport r = report.get();
        if (r == null) {
            shown.set(List.of());
            gridCaption.set("");
            return;
        }
        ConfusionCell cell = selectedCell.get();
        List<Misclassified> all = r.result().misclassified().stream()
                .filter(m -> cell == null || (m.label() == cell.label() && m.predicted() == cell.predicted())).toList();
        shown.set(all.size() > MAX_TILES ? all.subList(0, MAX_TILES) : all);
        String count = all.size() > MAX_TILES ? "the first " + MAX_TILES + " of " + Numbers.grouped(all.size())
                : Numbers.grouped(all.size());
        gridCaption.set(cell == null
                ? "All misclassified images: " + count + ". Click a cell of the matrix to see one confusion."
                : r.names().name(cell.label()) + " taken for " + r.names().name(cell.predicted()) + ": " + count
                        + (all.size() == 1 ? " image" : " images") + ". Click the cell again to see all.");
    }

    /** Selects a cell of the matrix, or clears the filter when it is the cell already selected or a diagonal one. */
    public void toggleCell(ConfusionCell cell) {
        selectedCell.set(cell == null || cell.equals(selectedCell.get()) || cell.label() == cell.predicted() ? null : cell);
    }

    public ObjectProperty<Path> imagesProperty() { return images; }

    public ObjectProperty<Path> labelsProperty() { return labels; }

    public StringProperty scaleProperty() { return scale; }

    public StringProperty meanProperty() { return mean; }

    public StringProperty stdProperty() { return std; }

    public ReadOnlyStringProperty problemProperty() { return problem.getReadOnlyProperty(); }

    public BackgroundJob<AccuracyReport> job() { return job; }

    public ReadOnlyObjectProperty<AccuracyReport> reportProperty() { return report.getReadOnlyProperty(); }

    public ObjectProperty<ConfusionCell> selectedCellProperty() { return selectedCell; }

    public ReadOnlyObjectProperty<List<Misclassified>> shownProperty() { return shown.getReadOnlyProperty(); }

    public ReadOnlyStringProperty gridCaptionProperty() { return gridCaption.getReadOnlyProperty(); }

    public void cancelAll() {
        job.cancel();
    }
}
