package dev.quantscope.pipeline.export;

import dev.quantscope.quant.metrics.ModelMetrics;
import dev.quantscope.quant.preset.Preset;

import java.nio.file.Path;

/**
 * What a quantization run wrote and how long it took.
 *
 * @param fileBytes     size of the written file
 * @param quantizeNanos decoding, quantizing and measuring
 * @param writeNanos    writing, syncing and verifying the file
 */
public record QuantizeResult(Path output, Preset preset, ModelMetrics metrics, long fileBytes, int threads,
                             long quantizeNanos, long writeNanos) {

    public double seconds() { return (quantizeNanos + writeNanos) / 1e9; }
}
