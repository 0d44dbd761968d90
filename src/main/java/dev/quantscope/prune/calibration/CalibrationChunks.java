package dev.quantscope.prune.calibration;

import dev.quantscope.engine.tokenizer.Tokenizer;
import dev.quantscope.engine.tokenizer.Tokenizers;
import dev.quantscope.format.Model;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The calibration tokens cut into consecutive windows of at most the context size, each run from an empty cache,
 * with its first token replaced by BOS when the model takes one (as llama-imatrix feeds its chunks).
 *
 * @param windows the token ids of every window, in order; the last one may be shorter
 */
public record CalibrationChunks(List<int[]> windows) {

    public CalibrationChunks {
        if (windows.isEmpty()) throw new IllegalArgumentException("there are no calibration tokens");
        windows = List.copyOf(windows);
    }

    /**
     * @param tokens      the tokenized calibration text
     * @param contextSize tokens per window at most
     * @param maxTokens   tokens to use at most (≤ 0: all of them)
     * @param bos         BOS token id, or -1 for a model without one
     */
    public static CalibrationChunks of(int[] tokens, int contextSize, int maxTokens, int bos) {
        if (contextSize < 1) throw new IllegalArgumentException("context size must be positive: " + contextSize);
        int use = maxTokens > 0 ? Math.min(maxTokens, tokens.length) : tokens.length;
        List<int[]> windows = new ArrayList<>();
        for (int start = 0; start < use; start += contextSize) {
            int[] w = Arrays.copyOfRange(tokens, start, Math.min(use, start + contextSize));
            if (bos >= 0) w[0] = bos;
            windows.add(w);
        }
        return new CalibrationChunks(windows);
    }

    /**
     * Tokenizes {@code text} with the model's own tokenizer (BOS first when the model asks for it) and cuts it as
     * {@link #of} does.
     * @throws IOException when the model's tokenizer cannot be read (a Hugging Face folder's tokenizer.json)
     */
    public static CalibrationChunks ofText(Model model, String text, int contextSize, int maxTokens) throws IOException {
        Tokenizer tokenizer = Tokenizers.forModel(model);
        int[] tokens = tokenizer.encode(text, true);
        return of(tokens, contextSize, maxTokens, tokenizer.specials().addBos() ? tokenizer.bos() : -1);
    }

    /** The longest window: the context an engine needs to run them. */
    public int longest() {
        int max = 0;
        for (int[] w : windows) max = Math.max(max, w.length);
        return max;
    }

    public long tokenCount() {
        long n = 0;
        for (int[] w : windows) n += w.length;
        return n;
    }

    public int size() { return windows.size(); }
}
