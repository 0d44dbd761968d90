package dev.quantscope.app.common;

import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyDoubleProperty;
import javafx.beans.property.ReadOnlyDoubleWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;

import java.util.List;

/**
 * What one progress bar with one Cancel button shows for a group of jobs: busy while any runs, the progress and
 * title of the first running one, and Cancel stops them all.
 */
public final class Activity {
    private final List<BackgroundJob<?>> jobs;
    private final ReadOnlyBooleanWrapper busy = new ReadOnlyBooleanWrapper(false);
    private final ReadOnlyDoubleWrapper progress = new ReadOnlyDoubleWrapper(0);
    private final ReadOnlyStringWrapper message = new ReadOnlyStringWrapper("");

    public Activity(List<BackgroundJob<?>> jobs) {
        this.jobs = List.copyOf(jobs);
        for (BackgroundJob<?> job : this.jobs) {
            job.runningProperty().addListener((_, _, _) -> refresh());
            job.progressProperty().addListener((_, _, _) -> refresh());
            job.titleProperty().addListener((_, _, _) -> refresh());
        }
        refresh();
    }

    private void refresh() {
        long runningCount = jobs.stream().filter(j -> j.runningProperty().get()).count();
        BackgroundJob<?> first = jobs.stream().filter(j -> j.runningProperty().get()).findFirst().orElse(null);
        busy.set(first != null);
        if (first != null) {
            progress.set(first.progressProperty().get());
            message.set(first.titleProperty().get() + (runningCount > 1 ? "  (+" + (runningCount - 1) + " more)" : ""));
        } else {
            progress.set(0);
            message.set("");
        }
    }

    public void cancelAll() { jobs.forEach(BackgroundJob::cancel); }

    public ReadOnlyBooleanProperty busyProperty() { return busy.getReadOnlyProperty(); }

    public ReadOnlyDoubleProperty progressProperty() { return progress.getReadOnlyProperty(); }

    public ReadOnlyStringProperty messageProperty() { return message.getReadOnlyProperty(); }
}
