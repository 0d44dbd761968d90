package dev.quantscope.prune.structured;

import dev.quantscope.engine.llama.LlamaConfig;
import dev.quantscope.format.Model;
import dev.quantscope.format.ModelFormat;
import dev.quantscope.format.gguf.GgufFile;
import dev.quantscope.format.gguf.GgufModels;
import dev.quantscope.format.gguf.GgufOutput;
import dev.quantscope.format.gguf.GgufOutputLayout;
import dev.quantscope.format.gguf.GgufWriter;
import dev.quantscope.task.ProgressMonitor;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.List;

/**
 * Structured pruning of a GGUF Llama: FFN units, KV groups and whole blocks taken out, so the model has fewer
 * parameters, not merely zeros. Any weight type is accepted where only whole rows go (a quantized attn_q or
 * ffn_up); ffn_down and attn_output lose columns, which needs them in F32, F16 or BF16. Scores are described in
 * {@link StructuredPlanner}; the result is described in {@link #prune}.
 */
public final class StructuredPruner {
    private StructuredPruner() {}

    /**
     * The model {@code source} becomes under {@code cuts}: an in-memory GGUF model whose tensors live in an arena
     * it owns (closing it frees them; the source may be closed first), whose {@link Model#details()} is the
     * {@link GgufFile} a GGUF writer needs, with block_count, feed_forward_length, head_count, head_count_kv,
     * key_length and value_length rewritten. Its {@link Model#source()} is the source's file, which a writer
     * therefore refuses to overwrite.
     *
     * @throws IllegalArgumentException with one sentence, when the model is not a GGUF Llama, a ratio leaves
     *                                  nothing, too many blocks are asked for, or a column cut meets a quantized
     *                                  tensor
     */
    public static Model prune(Model source, List<StructuredCut> cuts, Importance importance) {
        return prune(source, cuts, importance, ProgressMonitor.NONE);
    }

    /**
     * As {@link #prune(Model, List, Importance)}, reporting the copy in source tensors.
     *
     * @throws java.util.concurrent.CancellationException when cancelled between tensors (nothing is kept)
     */
    public static Model prune(Model source, List<StructuredCut> cuts, Importance importance, ProgressMonitor monitor) {
        if (source.format() != ModelFormat.GGUF || !(source.details() instanceof GgufFile)) {
            throw new IllegalArgumentException("Structured pruning of a Llama needs a GGUF model.");
        }
        LlamaConfig config = LlamaConfig.of(source);
        StructuredPlan plan = StructuredPlanner.plan(source, config, cuts, importance);
        Arena arena = Arena.ofShared();
        try {
            GgufOutput output = LlamaRewriter.rewrite(source, config.architecture(), plan, arena, monitor);
            return GgufModels.inMemory(source.source(), output, arena);
        } catch (RuntimeException e) { // a refusal or a cancellation: the copies so far are freed
            arena.close();
            throw e;
        }
    }

    /**
     * Writes a pruned model to {@code target} through {@link GgufWriter}: a temporary file beside it, read back
     * and verified, then renamed. The pruned model's source file is never overwritten.
     */
    public static GgufOutputLayout write(Model pruned, Path target, ProgressMonitor monitor) throws IOException {
        return GgufWriter.write(GgufModels.outputOf(pruned), target, List.of(pruned.source()), monitor);
    }
}
