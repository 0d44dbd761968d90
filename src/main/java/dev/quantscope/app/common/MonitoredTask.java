package dev.quantscope.app.common;

import dev.quantscope.task.ProgressMonitor;
import javafx.concurrent.Task;

import java.util.function.Function;

/**
 * A JavaFX Task around engine work that takes a {@link ProgressMonitor}: the engine's progress reports move the
 * task's progress property (coalesced onto the FX thread by Task itself) and Cancel reaches the engine through
 * {@link ProgressMonitor#isCancelled()}.
 */
public final class MonitoredTask<T> extends Task<T> {
    private final Function<ProgressMonitor, T> work;

    private final ProgressMonitor monitor = new ProgressMonitor() {
        @Override
        public void progress(long done, long total) {
            updateProgress(done, total);
        }

        @Override
        public boolean isCancelled() {
            return MonitoredTask.this.isCancelled();
        }
    };

    public MonitoredTask(Function<ProgressMonitor, T> work) {
        this.work = work;
    }

    @Override
    protected T call() {
        return work.apply(monitor);
    }
}
