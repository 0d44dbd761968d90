package dev.quantscope.pipeline.export;

import dev.quantscope.quant.ggml.QuantizedSize;
import dev.quantscope.quant.metrics.ErrorMetrics;
import dev.quantscope.recipe.RecipeStamp;

import dev.quantscope.pipeline.prune.PrunedTensor;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What an export wrote: per-tensor metrics (in source order) and totals.
 *
 * @param config        the config.json written next to a packed safetensors export
 * @param stamp         the recipe and source digest written into the metadata, when stamped
 * @param skipped       source tensors the output format has no place for (e.g. llama.cpp's rope_freqs in a
 *                      Hugging Face export)
 * @param quantizeNanos decoding, quantizing and measuring
 * @param writeNanos    writing, syncing and verifying
 * @param pruned        what the plan's pruning did to each pruned tensor (empty when it prunes nothing), with the
 *                      zeros that survive in the written file where its values can be read back
 */
public record ExportResult(Path output, OutputFormat format, List<TensorExport> tensors, long fileBytes,
                           Optional<Path> config, Optional<RecipeStamp> stamp, List<String> skipped, int threads,
                           long quantizeNanos, long writeNanos, List<PrunedTensor> pruned) {

    public ExportResult {
        tensors = List.copyOf(tensors);
        skipped = List.copyOf(skipped);
        pruned = List.copyOf(pruned);
    }

    /** Elements and bytes of the whole model under the recipe's schemes: its average bits per weight. */
    public QuantizedSize totalSchemeSize() {
        QuantizedSize s = QuantizedSize.NONE;
        for (TensorExport t : tensors) s = s.plus(t.schemeSize());
        return s;
    }

    /** The error of the whole model: sums over all elements, so big tensors weigh more. */
    public ErrorMetrics totalError() {
        ErrorMetrics e = ErrorMetrics.NONE;
        for (TensorExport t : tensors) e = e.plus(t.error());
        return e;
    }

    public ExportResult withPruned(List<PrunedTensor> p) {
        return new ExportResult(output, format, tensors, fileBytes, config, stamp, skipped, threads, quantizeNanos,
                writeNanos, p);
    }

    public double seconds() { return (quantizeNanos + writeNanos) / 1e9; }
}
