package dev.quantscope.task;

import java.util.concurrent.CancellationException;

/**
 * How long-running engine work reports progress and learns that it was cancelled. The GUI wraps a JavaFX Task
 * in one; the CLI passes {@link #NONE} or a console printer. Implementations must be thread-safe: parallel
 * workers call them.
 */
public interface ProgressMonitor {
    /** Reports that {@code done} of {@code total} units are finished. */
    void progress(long done, long total);

    /** Whether the user asked to stop. */
    boolean isCancelled();

    /** Throws {@link CancellationException} when cancelled: call it between chunks of work. */
    default void checkCancelled() {
        if (isCancelled()) throw new CancellationException("cancelled");
    }

    ProgressMonitor NONE = new ProgressMonitor() {
        @Override public void progress(long done, long total) {}
        @Override public boolean isCancelled() { return false; }
    };
}
