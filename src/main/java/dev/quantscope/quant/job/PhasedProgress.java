package dev.quantscope.quant.job;

import dev.quantscope.task.ProgressMonitor;

/**
 * One phase of a longer job, reported to the job's monitor as its share of a fixed scale, so that the bar moves
 * once from 0 to the end although each phase counts its own units.
 */
record PhasedProgress(ProgressMonitor outer, long scaleStart, long scaleLength, long scaleTotal) implements ProgressMonitor {

    @Override
    public void progress(long done, long total) {
        double f = total <= 0 ? 1 : Math.min(1, Math.max(0, (double) done / total));
        outer.progress(scaleStart + Math.round(f * scaleLength), scaleTotal);
    }

    @Override
    public boolean isCancelled() { return outer.isCancelled(); }
}
