package dev.quantscope.task;

/**
 * One part of a longer job, reported to the job's monitor as its slice {@code [start, start + length)} of the job's
 * fixed scale of {@code total} units, so that the bar moves once from 0 to the end although each part counts its own
 * units (tensors, bytes, chunks). A part's progress outside [0, 1] is clamped, and a part of nothing counts as done.
 * Cancelling the job cancels every part.
 */
public record ProgressSlice(ProgressMonitor outer, long start, long length, long total) implements ProgressMonitor {

    public ProgressSlice {
        if (start < 0 || length < 0 || start + length > total) {
            throw new IllegalArgumentException("slice [" + start + ", " + (start + length) + ") is outside [0, "
                    + total + "]");
        }
    }

    @Override
    public void progress(long done, long of) {
        double f = of <= 0 ? 1 : Math.min(1, Math.max(0, (double) done / of));
        outer.progress(start + Math.round(f * length), total);
    }

    @Override
    public boolean isCancelled() { return outer.isCancelled(); }
}
