package dev.quantscope.eval.sweep;

import dev.quantscope.task.ProgressMonitor;

/**
 * Passes progress on only when it moves forward. Worker threads report in whatever order they finish, so two
 * reports can arrive swapped; a bar that jumps back by a hair looks broken.
 */
final class ForwardProgress implements ProgressMonitor {
    private final ProgressMonitor outer;
    private long last = Long.MIN_VALUE;

    ForwardProgress(ProgressMonitor outer) {
        this.outer = outer;
    }

    @Override
    public synchronized void progress(long done, long total) {
        if (done < last) return;
        last = done;
        outer.progress(done, total);
    }

    @Override
    public boolean isCancelled() { return outer.isCancelled(); }
}
