package dev.quantscope.app.document;

import dev.quantscope.app.common.Async;
import dev.quantscope.engine.classifier.Classifier;
import dev.quantscope.engine.classifier.InputShape;
import dev.quantscope.failure.FailureDescriber;
import javafx.application.Platform;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;

import java.util.Optional;
import java.util.concurrent.CancellationException;

/**
 * The open model read as an image classifier, once per document: {@link Classifier#from} decodes every weight, so it
 * runs off the FX thread, and its outcome (the classifier, or why the model is not one) is kept for the pages that run it.
 * Models too large to be one of the small classifiers the engine holds on the heap are not decoded at all: a Llama
 * is told apart by its size before any weight is read. Read on the FX thread.
 */
public final class OpenClassifier {
    /** Far above any MLP or small CNN (ggml's MNIST MLP has 0.4 M), far below a Llama worth opening. */
    static final long MAX_PARAMETERS = 50_000_000;

    private final ReadOnlyObjectWrapper<Async<Classifier>> state = new ReadOnlyObjectWrapper<>(new Async.Running<>());

    OpenClassifier(ModelSession session) {
        if (session.model().parameterCount() > MAX_PARAMETERS) {
            state.set(new Async.Failed<>("The model has " + session.model().parameterCount()
                    + " parameters, more than a classifier the app trains and measures."));
            return;
        }
        // Its own thread, not the document's pool: the pages to show depend on it, and the pool is busy with the
        // first tensor's statistics when a document opens.
        Thread.ofVirtual().name("classifier-" + session.model().source().getFileName()).start(() -> {
            Async<Classifier> outcome;
            try {
                outcome = new Async.Done<>(session.read(() -> Classifier.from(session.model(), InputShape.image(28, 28))));
            } catch (CancellationException closed) {
                outcome = new Async.Cancelled<>();
            } catch (RuntimeException notAClassifier) {
                outcome = new Async.Failed<>(FailureDescriber.describe(notAClassifier));
            }
            Async<Classifier> result = outcome;
            Platform.runLater(() -> state.set(result));
        });
    }

    /** Running until known; Done with the classifier, or Failed with the one sentence saying why it is not one. */
    public ReadOnlyObjectProperty<Async<Classifier>> stateProperty() { return state.getReadOnlyProperty(); }

    /** The classifier, once loaded. */
    /** Why a page cannot run the classifier yet, in one sentence; empty once its weights are read. */
    public Optional<String> notReady() {
        return switch (state.get()) {
            case Async.Running<?> _ -> Optional.of("Reading the model's weights…");
            case Async.Failed<?> f -> Optional.of("This model is not a classifier the app can run: " + f.message());
            case Async.Cancelled<?> _ -> Optional.of("The model was closed.");
            case Async.Idle<?> _, Async.Done<?> _ -> Optional.empty();
        };
    }

    public Optional<Classifier> classifier() {
        return state.get() instanceof Async.Done<Classifier>(Classifier c) ? Optional.of(c) : Optional.empty();
    }
}
