package dev.quantscope.app.common;

import dev.quantscope.failure.FailureDescriber;
import dev.quantscope.task.ProgressMonitor;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyDoubleProperty;
import javafx.beans.property.ReadOnlyDoubleWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;

import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Function;

/**
 * One slot of background work whose latest request wins: submitting cancels the request still running, and a
 * stale task's result is dropped even if it finishes after the new one started. All methods are for the FX thread.
 */
public final class BackgroundJob<T> {
    private final Executor executor;
    private final ReadOnlyObjectWrapper<Async<T>> state = new ReadOnlyObjectWrapper<>(Async.idle());
    private final ReadOnlyDoubleWrapper progress = new ReadOnlyDoubleWrapper(0);
    private final ReadOnlyBooleanWrapper running = new ReadOnlyBooleanWrapper(false);
    private final ReadOnlyStringWrapper title = new ReadOnlyStringWrapper("");
    private MonitoredTask<T> current;

    public BackgroundJob(Executor executor) {
        this.executor = executor;
    }

    public void submit(String what, Function<ProgressMonitor, T> work) {
        if (current != null) current.cancel();
        MonitoredTask<T> task = new MonitoredTask<>(work);
        current = task;
        title.set(what);
        progress.bind(task.progressProperty());
        running.set(true);
        state.set(new Async.Running<>());
        task.setOnSucceeded(_ -> finish(task, new Async.Done<>(task.getValue())));
        task.setOnFailed(_ -> finish(task, new Async.Failed<>(FailureDescriber.describe(task.getException()))));
        task.setOnCancelled(_ -> finish(task, new Async.Cancelled<>()));
        try {
            executor.execute(task);
        } catch (RejectedExecutionException shuttingDown) {
            // The pool is closed (the window is going away); a late request, e.g. from a resize, just ends.
            finish(task, new Async.Cancelled<>());
        }
    }

    private void finish(MonitoredTask<T> task, Async<T> outcome) {
        if (task != current) return; // a newer request owns this slot now
        progress.unbind();
        progress.set(outcome instanceof Async.Done<T> ? 1 : 0);
        running.set(false);
        state.set(outcome);
    }

    /** Cancels the running request, if any; its state becomes {@link Async.Cancelled}. */
    public void cancel() {
        if (current != null) current.cancel();
    }

    /** Cancels and forgets: the slot shows nothing, as when no tensor is selected. */
    public void reset() {
        MonitoredTask<T> old = current;
        current = null;
        if (old != null) old.cancel();
        progress.unbind();
        progress.set(0);
        running.set(false);
        state.set(Async.idle());
    }

    public ReadOnlyObjectProperty<Async<T>> stateProperty() { return state.getReadOnlyProperty(); }

    public Async<T> state() { return state.get(); }

    public ReadOnlyDoubleProperty progressProperty() { return progress.getReadOnlyProperty(); }

    public ReadOnlyBooleanProperty runningProperty() { return running.getReadOnlyProperty(); }

    public ReadOnlyStringProperty titleProperty() { return title.getReadOnlyProperty(); }
}
