package dev.quantscope.eval.sweep;

import dev.quantscope.task.ProgressMonitor;

/** One step of the sweep reported as its slice [start, start + length) of the sweep's overall scale. */
record ScaledProgress(ProgressMonitor outer, long start, long length, long total) implements ProgressMonitor {

    @Override
    public void progress(long done, long of) {
        double f = of <= 0 ? 1 : Math.min(1, Math.max(0, (double) done / of));
        outer.progress(start + Math.round(f * length), total);
    }

    @Override
    public boolean isCancelled() { return outer.isCancelled(); }
}
