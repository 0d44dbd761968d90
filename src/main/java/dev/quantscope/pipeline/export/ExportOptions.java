package dev.quantscope.pipeline.export;

import dev.quantscope.format.safetensors.export.FloatFormat;
import dev.quantscope.pipeline.prune.PruneCalibration;
import dev.quantscope.quant.imatrix.ImatrixFile;

import java.nio.file.Path;
import java.util.Objects;

/**
 * How {@link ModelExport} writes its file.
 *
 * @param format  GGUF or safetensors
 * @param dtype   safetensors only: the float type of dequantized tensors (and of a packed export's scales: F16 or
 *                F32, since the integer schemes' scales are F16 values and BF16 would round them)
 * @param packed  safetensors only: integer-scheme Linear weights as compressed-tensors pack-quantized codes, with
 *                a config.json next to the file; otherwise everything is written dequantized
 * @param threads worker threads, at least 1
 * @param stamp   whether the recipe and the source's SHA-256 go into the metadata
 * @param calibration what a plan's calibrated pruning methods (Wanda, SparseGPT) see of the model's activations
 * @param imatrix null, or the importance matrix ({@code llama-quantize --imatrix}): GGUF only; a preset recipe is
 *                planned as with an imatrix, and ggml block types whose quantizer uses weights are weighted by it
 */
public record ExportOptions(OutputFormat format, FloatFormat dtype, boolean packed, int threads, StampMode stamp,
                            ImatrixFile imatrix, PruneCalibration calibration) {

    public ExportOptions {
        Objects.requireNonNull(format);
        Objects.requireNonNull(dtype);
        Objects.requireNonNull(stamp);
        Objects.requireNonNull(calibration);
        if (threads < 1) throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        if (packed && format != OutputFormat.SAFETENSORS) {
            throw new IllegalArgumentException("a packed export is a safetensors file (compressed-tensors); "
                    + "GGUF files are packed by their ggml types already");
        }
        if (imatrix != null && format != OutputFormat.GGUF) {
            throw new IllegalArgumentException("an importance matrix weights ggml quantization: it needs GGUF output");
        }
    }

    /** Without calibration for pruning. */
    public ExportOptions(OutputFormat format, FloatFormat dtype, boolean packed, int threads, StampMode stamp,
                         ImatrixFile imatrix) {
        this(format, dtype, packed, threads, stamp, imatrix, PruneCalibration.NONE);
    }

    public ExportOptions withCalibration(PruneCalibration c) {
        return new ExportOptions(format, dtype, packed, threads, stamp, imatrix, c);
    }

    /** Without an importance matrix. */
    public ExportOptions(OutputFormat format, FloatFormat dtype, boolean packed, int threads, StampMode stamp) {
        this(format, dtype, packed, threads, stamp, null, PruneCalibration.NONE);
    }

    /** Defaults for {@code out}: its extension's format, F16, dequantized, every core, {@link StampMode#AUTO}. */
    public static ExportOptions forTarget(Path out) {
        return new ExportOptions(OutputFormat.of(out), FloatFormat.F16, false,
                Runtime.getRuntime().availableProcessors(), StampMode.AUTO);
    }

    public ExportOptions withDtype(FloatFormat d) { return new ExportOptions(format, d, packed, threads, stamp, imatrix, calibration); }

    public ExportOptions withPacked(boolean p) { return new ExportOptions(format, dtype, p, threads, stamp, imatrix, calibration); }

    public ExportOptions withThreads(int n) { return new ExportOptions(format, dtype, packed, n, stamp, imatrix, calibration); }

    public ExportOptions withStamp(StampMode s) { return new ExportOptions(format, dtype, packed, threads, s, imatrix, calibration); }

    public ExportOptions withImatrix(ImatrixFile m) { return new ExportOptions(format, dtype, packed, threads, stamp, m, calibration); }
}
