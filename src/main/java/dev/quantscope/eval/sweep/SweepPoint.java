package dev.quantscope.eval.sweep;

/**
 * The outcome of one scheme of a sweep: measured, or skipped with the reason (a preset llama-quantize refuses for
 * this model, rows a block type cannot store). {@link #index()} is the scheme's position in the request, and points
 * are delivered in that order.
 */
public sealed interface SweepPoint {

    int index();

    String schemeId();

    String label();

    /**
     * @param bytes         storage of all tensors under the scheme (side data included; the file adds only its header)
     * @param bitsPerWeight {@code bytes} × 8 / parameters
     * @param fromCache     whether the figures came from the sweep cache rather than being measured now
     * @param seconds       time measuring took (0 for a cache hit)
     */
    record Measured(int index, String schemeId, String label, long bytes, double bitsPerWeight, Latency latency,
                    Accuracy accuracy, boolean fromCache, double seconds) implements SweepPoint {}

    record Skipped(int index, String schemeId, String label, String reason) implements SweepPoint {}
}
