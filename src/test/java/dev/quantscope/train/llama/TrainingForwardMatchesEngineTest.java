package dev.quantscope.train.llama;

import dev.quantscope.engine.llama.LlamaEngine;
import dev.quantscope.engine.tokenizer.Tokenizer;
import dev.quantscope.engine.tokenizer.Tokenizers;
import dev.quantscope.format.Model;
import dev.quantscope.format.ModelOpener;
import dev.quantscope.testing.SharedFiles;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The training forward pass gives LlamaEngine's logits on the real stories260K over a real window of text. */
class TrainingForwardMatchesEngineTest {

    @Test
    void logitsEqualTheEngines() throws Exception {
        int n = 96;
        try (Model m = ModelOpener.open(SharedFiles.file("models/stories260K.gguf"));
             LlamaEngine engine = new LlamaEngine(m, n, 2)) {
            Tokenizer tokenizer = Tokenizers.forModel(m);
            String text = Files.readString(SharedFiles.file("data/text/tinyshakespeare.txt"), StandardCharsets.UTF_8)
                    .substring(0, 2000);
            int[] tokens = Arrays.copyOf(tokenizer.encode(text, true), n);
            int vocab = engine.config().vocab();
            float[] expected = new float[n * vocab];
            engine.forwardBatch(tokens, 0, n, 0, 0, (i, l) -> System.arraycopy(l, 0, expected, i * vocab, vocab));
            for (MatmulKernel kernel : new MatmulKernel[] {new ScalarMatmul(), new VectorMatmul()}) {
                try (TrainingPass pass = new TrainingPass(LlamaParameters.load(m), n, kernel, 2)) {
                    float[] actual = pass.forward(tokens, n);
                    for (int t = 0; t < n; t++) {
                        double maxDiff = 0, maxAbs = 0;
                        for (int i = 0; i < vocab; i++) {
                            maxDiff = Math.max(maxDiff, Math.abs(expected[t * vocab + i] - actual[t * vocab + i]));
                            maxAbs = Math.max(maxAbs, Math.abs(expected[t * vocab + i]));
                        }
                        assertTrue(maxDiff <= 1e-4 * maxAbs, kernel + ": token " + t + " differs by " + maxDiff
                                + " (largest logit " + maxAbs + ")");
                    }
                }
            }
        }
    }
}
