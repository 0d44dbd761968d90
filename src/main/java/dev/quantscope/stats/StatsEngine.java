package dev.quantscope.stats;

import dev.quantscope.format.Model;
import dev.quantscope.task.ProgressMonitor;
import dev.quantscope.tensor.TensorInfo;

/**
 * Statistics for the tensors of one open model, streamed in parallel over the mapped bytes and cached per
 * tensor. Thread-safe. (API fixed; implementation in progress.)
 */
public final class StatsEngine {
    private final Model model;

    public StatsEngine(Model model) {
        this.model = model;
    }

    public Model model() { return model; }

    /** Summary statistics of every element of {@code t}; cached. */
    public TensorStats stats(TensorInfo t, ProgressMonitor monitor) {
        throw new UnsupportedOperationException("stats pending");
    }

    /** A histogram of {@code bins} equal bins over [min, max]; counts sum to the finite element count. */
    public Histogram histogram(TensorInfo t, int bins, ProgressMonitor monitor) {
        throw new UnsupportedOperationException("histogram pending");
    }

    /** Per-row min, max and absolute max, rows as in {@link dev.quantscope.tensor.Shape#rows()}. */
    public ChannelRanges channelRanges(TensorInfo t, ProgressMonitor monitor) {
        throw new UnsupportedOperationException("channel ranges pending");
    }

    /** Parameters and bytes by dtype and by layer kind, and average bits per weight. No tensor data is read. */
    public ModelSummary summary() {
        throw new UnsupportedOperationException("summary pending");
    }
}
