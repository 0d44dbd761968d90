package dev.quantscope.quant.imatrix;

import dev.quantscope.engine.llama.LlamaEngine;
import dev.quantscope.task.ProgressMonitor;

import java.util.List;

/**
 * Computes an importance matrix the way {@code llama-imatrix} does: the token stream is cut into consecutive chunks
 * of {@code nCtx} tokens (only full ones; at least two are required), each run from an empty cache with its first
 * token replaced by BOS when the model takes one, and every matrix multiplication's inputs are accumulated.
 * The output head is collected only when asked ({@code --process-output} in llama.cpp).
 */
public final class ImatrixComputation {
    private ImatrixComputation() {}

    /**
     * @param tokens     the tokenized calibration text
     * @param bos        BOS token id, or -1 for models without BOS
     * @param maxChunks  chunks to process at most (≤ 0: all)
     * @param withOutput also collect the output head's input
     * @param datasets   calibration file names to record
     */
    public static ImportanceMatrix compute(LlamaEngine engine, int[] tokens, int nCtx, int bos, int maxChunks,
                                           boolean withOutput, List<String> datasets, ProgressMonitor monitor) {
        if (nCtx < 1 || nCtx > engine.contextSize()) {
            throw new IllegalArgumentException("context " + nCtx + " must be 1.." + engine.contextSize());
        }
        if (tokens.length < 2L * nCtx) {
            throw new IllegalArgumentException("the text tokenizes to " + tokens.length + " tokens; need at least "
                    + 2 * nCtx + " for a context of " + nCtx);
        }
        int available = tokens.length / nCtx;
        int chunks = maxChunks > 0 ? Math.min(maxChunks, available) : available;
        ImatrixCollector collector = new ImatrixCollector(name -> isBlockTensor(name) || withOutput && isOutputHead(name));
        int[] window = new int[nCtx];
        LlamaEngine.LogitsConsumer ignore = (i, logits) -> {};
        engine.setMatmulObserver(collector);
        try {
            for (int c = 0; c < chunks; c++) {
                monitor.checkCancelled();
                System.arraycopy(tokens, c * nCtx, window, 0, nCtx);
                if (bos >= 0) window[0] = bos;
                // every position's logits are asked for, as llama-imatrix does, so the head sees all rows
                engine.forwardBatch(window, 0, nCtx, 0, withOutput ? 0 : nCtx, ignore);
                monitor.progress(c + 1, chunks);
            }
        } finally {
            engine.setMatmulObserver(null);
        }
        return collector.toMatrix(chunks, nCtx, datasets);
    }

    /** llama-imatrix collects the blk.* tensors (model.layers.* in Hugging Face naming)... */
    static boolean isBlockTensor(String name) {
        return name.startsWith("blk.") || name.startsWith("model.layers.");
    }

    /**
     * ...and, when told to, output.weight; a tied head is token_embd.weight, which llama-imatrix never collects
     * (llama-quantize would otherwise weight the embedding table by the head's inputs).
     */
    static boolean isOutputHead(String name) {
        return name.equals("output.weight") || name.equals("lm_head.weight");
    }
}
