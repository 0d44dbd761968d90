package dev.quantscope.prune.structured;

import dev.quantscope.testing.LlamaCpp;
import dev.quantscope.engine.llama.Generation;
import dev.quantscope.engine.llama.LlamaEngine;
import dev.quantscope.engine.llama.Sampler;
import dev.quantscope.engine.tokenizer.Tokenizer;
import dev.quantscope.engine.tokenizer.Tokenizers;
import dev.quantscope.format.Model;
import dev.quantscope.format.ModelOpener;
import dev.quantscope.tensor.Decoders;
import dev.quantscope.tensor.TensorInfo;
import dev.quantscope.testing.SharedFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Shared checks of the structured-pruning tests on stories260K. */
final class PrunedLlamas {
    private PrunedLlamas() {}

    static Path stories() { return SharedFiles.file("models/stories260K.gguf"); }

    /** A calibration on the first 2,000 tokens of tinyshakespeare, in windows of 128. */
    static Calibration calibrate(Model model) throws IOException {
        String text = Files.readString(SharedFiles.file("data/text/tinyshakespeare.txt")).substring(0, 12_000);
        return CalibrationPass.run(model, text, 128, 2_000, 2, dev.quantscope.task.ProgressMonitor.NONE);
    }

    /** Generates {@code n} greedy tokens in the project's engine, checking every step's logits are finite. */
    static String generate(Model model, int n) throws IOException {
        try (LlamaEngine engine = new LlamaEngine(model, 64, 1)) {
            Tokenizer tok = Tokenizers.forModel(model);
            int[] prompt = tok.encode(LlamaCpp.PROMPT, true);
            float[][] last = new float[1][];
            engine.forwardBatch(prompt, 0, prompt.length, 0, prompt.length - 1, (i, l) -> last[0] = l.clone());
            StringBuilder text = new StringBuilder();
            int pos = prompt.length;
            float[] logits = last[0];
            for (int s = 0; s < n; s++) {
                for (float f : logits) assertTrue(Float.isFinite(f), "a logit is " + f + " at step " + s);
                int token = Sampler.argmax(logits);
                text.append(tok.decode(token));
                logits = engine.forward(token, pos++);
            }
            return text.toString();
        }
    }

    /** The file reopened with the project's GGUF reader. */
    static Model reopen(Path file) throws IOException { return ModelOpener.open(file); }

    /** Decoded rows of a 2-D tensor. */
    static float[][] rows(TensorInfo t) {
        float[] all = Decoders.decodeAll(t);
        int len = Math.toIntExact(t.shape().rowLength());
        float[][] rows = new float[all.length / len][];
        for (int r = 0; r < rows.length; r++) rows[r] = Arrays.copyOfRange(all, r * len, (r + 1) * len);
        return rows;
    }

    static float[][] transpose(float[][] m) {
        float[][] t = new float[m[0].length][m.length];
        for (int i = 0; i < m.length; i++) for (int j = 0; j < m[0].length; j++) t[j][i] = m[i][j];
        return t;
    }

    /**
     * Which source rows the pruned rows are, found by exact equality: each pruned row must equal one source row, in
     * ascending order, or the cut changed a kept unit.
     */
    static int[] sourceRowsOf(float[][] pruned, float[][] source) {
        int[] found = new int[pruned.length];
        int next = 0;
        for (int i = 0; i < pruned.length; i++) {
            int at = -1;
            for (int r = next; r < source.length; r++) {
                if (Arrays.equals(pruned[i], source[r])) { at = r; break; }
            }
            if (at < 0) fail("pruned row " + i + " equals no later source row");
            found[i] = at;
            next = at + 1;
        }
        return found;
    }

    /** The source rows {@code index} of {@code source}, which the pruned tensor must equal exactly. */
    static void assertRowsKept(float[][] pruned, float[][] source, int[] index, String what) {
        assertEquals(index.length, pruned.length, what + ": row count");
        List<String> differing = new ArrayList<>();
        for (int i = 0; i < index.length; i++) if (!Arrays.equals(pruned[i], source[index[i]])) differing.add(String.valueOf(i));
        assertEquals(List.of(), differing, what + ": kept rows that differ from the source's");
    }

    static void assertSameValues(TensorInfo pruned, TensorInfo source) {
        assertArrayEquals(Decoders.decodeAll(source), Decoders.decodeAll(pruned), pruned.name() + " vs " + source.name());
    }

    static long intKey(Model m, String key) { return ((Number) m.metadata().get(key)).longValue(); }
}
