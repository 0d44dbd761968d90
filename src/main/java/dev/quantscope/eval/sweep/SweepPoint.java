package dev.quantscope.eval.sweep;

/**
 * The outcome of one scheme of a sweep: measured, or skipped with the reason (a preset llama-quantize refuses for
 * this model, rows a block type cannot store). {@link #index()} is the point's position in the sweep: the request's
 * schemes in order, each followed by its importance-matrix variant when the sweep has one; points are delivered in
 * that order.
 */
public sealed interface SweepPoint {

    int index();

    String schemeId();

    String label();

    /**
     * Whether the scheme was quantized with the sweep's importance matrix (llama-quantize's {@code --imatrix}); such
     * a point's id and label end in {@value #IMATRIX_SUFFIX}, so it never passes for the plain scheme.
     */
    boolean imatrix();

    String IMATRIX_SUFFIX = "+imatrix";

    /**
     * @param imatrix       quantized with the importance matrix
     * @param bytes         storage of all tensors under the scheme (side data included; the file adds only its header)
     * @param bitsPerWeight {@code bytes} × 8 / parameters
     * @param fromCache     whether the figures came from the sweep cache rather than being measured now
     * @param seconds       time measuring took (0 for a cache hit)
     */
    record Measured(int index, String schemeId, String label, boolean imatrix, long bytes, double bitsPerWeight,
                    Latency latency, Accuracy accuracy, boolean fromCache, double seconds) implements SweepPoint {}

    record Skipped(int index, String schemeId, String label, boolean imatrix, String reason) implements SweepPoint {}
}
