package dev.quantscope.app.tradeoff.classifier;

import dev.quantscope.app.common.Async;
import dev.quantscope.app.common.BackgroundJob;
import dev.quantscope.app.document.ClassifierData;
import dev.quantscope.app.document.ClassifierData.IdxPair;
import dev.quantscope.app.document.ClassifierExports;
import dev.quantscope.app.document.ExportedClassifier;
import dev.quantscope.app.document.OpenClassifier;
import dev.quantscope.engine.classifier.Classifier;
import dev.quantscope.engine.classifier.InputScaling;
import dev.quantscope.engine.classifier.LabeledImages;
import dev.quantscope.eval.classifier.CalibrationSplit;
import dev.quantscope.eval.classifier.ClassifierCompression;
import dev.quantscope.eval.classifier.ClassifierPoint;
import dev.quantscope.eval.classifier.ClassifierVariant;
import dev.quantscope.failure.FailureDescriber;
import dev.quantscope.task.ProgressMonitor;
import dev.quantscope.task.ProgressSlice;
import javafx.application.Platform;
import javafx.beans.Observable;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.value.ObservableValue;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.collections.FXCollections;
import javafx.collections.ListChangeListener;
import javafx.collections.ObservableList;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * State of the Trade-off page of a classifier document: the compressed variants of the open classifier
 * ({@link ClassifierCompression#defaults()}, measured by {@link ClassifierCompression#sweep} on the document's test
 * set in the background) and the students exported from this document, as one list of entries in the order the
 * chart and the table show them. FX thread only.
 */
public final class ClassifierTradeoffViewModel {
    private final OpenClassifier classifier;
    private final ClassifierData data;
    private final ClassifierExports exports;
    private final Supplier<InputScaling> scaling;
    private final BackgroundJob<List<VariantOutcome>> job;
    private final ObservableList<TradeoffEntry> entries = FXCollections.observableArrayList();
    private final ReadOnlyStringWrapper problem = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper skipped = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper measuredOn = new ReadOnlyStringWrapper("");
    private List<VariantOutcome> outcomes = List.of();
    /** Counts runs, so that a point a replaced run publishes late is dropped. */
    private long generation;

    /** @param scaling how pixels become inputs: the Accuracy page's choice, so both pages measure the same thing */
    public ClassifierTradeoffViewModel(OpenClassifier classifier, ClassifierData data, ClassifierExports exports,
                                       Supplier<InputScaling> scaling, Executor executor) {
        this.classifier = classifier;
        this.data = data;
        this.exports = exports;
        this.scaling = scaling;
        this.job = new BackgroundJob<>(executor);
        job.stateProperty().addListener((_, _, s) -> {
            if (s instanceof Async.Done<List<VariantOutcome>>(List<VariantOutcome> all)) show(all);
        });
        exports.list().addListener((ListChangeListener<ExportedClassifier>) _ -> rebuild());
        for (Observable o : List.<Observable>of(classifier.stateProperty(), data.testProperty())) {
            o.addListener(_ -> problem.set(problemOrEmpty()));
        }
        problem.set(problemOrEmpty());
        rebuild();
    }

    /** Measures every default variant on the test set, off the FX thread; a newer run replaces this one. */
    public void run() {
        Optional<Classifier> original = classifier.classifier();
        Optional<IdxPair> test = data.testProperty().get();
        if (!problemOrEmpty().isEmpty() || original.isEmpty() || test.isEmpty()) return;
        InputScaling inputs;
        try {
            inputs = scaling.get();
        } catch (IllegalArgumentException e) {
            problem.set(e.getMessage() + " (on the Accuracy page)");
            return;
        }
        int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
        IdxPair pair = test.get();
        long run = ++generation;
        show(List.of());
        job.submit("Measuring compressed variants", monitor -> {
            LabeledImages set;
            try {
                set = LabeledImages.read(pair.images(), pair.labels(), inputs);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return measureEach(original.get(), set, threads, monitor, text -> Platform.runLater(() -> {
                if (run == generation) measuredOn.set(text);
            }), soFar -> Platform.runLater(() -> {
                if (run == generation) show(soFar);
            }));
        });
    }

    /**
     * The sweep one variant at a time: each point shows as soon as it is measured, and a variant that cannot be
     * applied is skipped with its reason instead of ending the run. Wanda and SparseGPT calibrate on the first images
     * of the test set, which then no variant is measured on, split as {@code quantscope accuracy --types …} splits
     * them ({@link CalibrationSplit}). The
     * training split is not used: read whole, it would be 60,000 images in memory for a thousand used.
     */
    private static List<VariantOutcome> measureEach(Classifier original, LabeledImages set, int threads,
                                                    ProgressMonitor monitor, Consumer<String> split,
                                                    Consumer<List<VariantOutcome>> publish) {
        List<ClassifierVariant> variants = ClassifierCompression.defaults();
        CalibrationSplit cut = CalibrationSplit.of(set, variants);
        int calibrationCount = cut.setAside();
        LabeledImages calibration = cut.calibration(), measured = cut.measured();
        split.accept(String.format(Locale.ROOT, "%,d test images measured (the first %,d calibrate Wanda and SparseGPT and are left out)",
                measured.count(), calibrationCount));
        List<VariantOutcome> done = new ArrayList<>();
        for (int i = 0; i < variants.size(); i++) {
            monitor.checkCancelled();
            ClassifierVariant v = variants.get(i);
            ProgressMonitor part = new ProgressSlice(monitor, i, 1, variants.size());
            try {
                done.add(new VariantOutcome.Measured(ClassifierCompression.sweep(original, List.of(v), measured,
                        calibration, threads, part).getFirst()));
            } catch (CancellationException cancelled) {
                throw cancelled;
            } catch (RuntimeException e) {
                done.add(new VariantOutcome.Skipped(v, FailureDescriber.describe(e)));
            }
            publish.accept(List.copyOf(done));
        }
        return List.copyOf(done);
    }

    private void show(List<VariantOutcome> all) {
        outcomes = all;
        List<String> reasons = all.stream().filter(o -> o instanceof VariantOutcome.Skipped)
                .map(o -> o.variant().label() + " (" + ((VariantOutcome.Skipped) o).reason() + ")").toList();
        skipped.set(reasons.isEmpty() ? "" : "Not measured: " + String.join("; ", reasons) + ".");
        rebuild();
    }

    public void cancel() {
        job.cancel();
    }

    private String problemOrEmpty() {
        Optional<String> notReady = classifier.notReady();
        if (notReady.isPresent()) return notReady.get();
        return data.testProperty().get().isEmpty() ? "Choose a test set on the Accuracy page first." : "";
    }

    private void rebuild() {
        List<TradeoffEntry> all = new ArrayList<>();
        for (VariantOutcome o : outcomes) {
            if (o instanceof VariantOutcome.Measured(ClassifierPoint p)) all.add(TradeoffEntry.of(p));
        }
        exports.list().forEach(e -> all.add(TradeoffEntry.of(e)));
        entries.setAll(all);
    }

    /** The measured variants, then the exported students. */
    public ObservableList<TradeoffEntry> entries() { return entries; }

    /** The original's top-1, once measured (the table's Δ column is against it). */
    public Optional<TradeoffEntry> original() {
        return entries.stream().filter(e -> e.kind() == TradeoffEntry.Kind.ORIGINAL).findFirst();
    }

    public BackgroundJob<List<VariantOutcome>> job() { return job; }

    /** How many test images the last run measured, and how many calibrated. */
    public ReadOnlyStringProperty measuredOnProperty() { return measuredOn.getReadOnlyProperty(); }

    /** The variants the last run could not measure, and why; empty when it measured them all. */
    public ReadOnlyStringProperty skippedProperty() { return skipped.getReadOnlyProperty(); }

    /** The test set the variants are measured on: the document's, chosen on the Accuracy page. */
    public ObservableValue<Optional<IdxPair>> testSetProperty() { return data.testProperty(); }

    public ReadOnlyStringProperty problemProperty() { return problem.getReadOnlyProperty(); }

    public void cancelAll() {
        job.cancel();
    }
}
