package dev.quantscope.engine.llama;

import dev.quantscope.engine.tokenizer.Tokenizer;
import dev.quantscope.engine.tokenizer.Tokenizers;

import dev.quantscope.eval.Perplexity;
import dev.quantscope.eval.PerplexityResult;
import dev.quantscope.format.Model;
import dev.quantscope.format.ModelOpener;
import dev.quantscope.task.ProgressMonitor;
import dev.quantscope.testing.SharedFiles;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;

class LlamaEnginePerplexityTest {

    @Test
    void reproducesLlamaPerplexityOnStories260K() throws Exception {
        byte[] all = Files.readAllBytes(SharedFiles.file("data/text/tinyshakespeare.txt"));
        String text = new String(Arrays.copyOf(all, 40_000), StandardCharsets.UTF_8);
        try (Model model = ModelOpener.open(SharedFiles.file("models/stories260K.gguf"));
             LlamaEngine engine = new LlamaEngine(model, 256, 2)) {
            int[] tokens = Tokenizers.forModel(model).encode(text, true);
            PerplexityResult r = Perplexity.compute(engine, tokens, 256, 1, ProgressMonitor.NONE);
            System.out.printf("stories260K PPL %.4f ± %.4f over %d tokens, %d chunks (total tokens %d)%n",
                    r.ppl(), r.pplError(), r.tokens(), r.chunks(), tokens.length);
            assertEquals(tokens.length / 256, r.chunks());
            assertEquals(127L * r.chunks(), r.tokens());
            assertEquals(98.6170, r.ppl(), 98.6170 * 0.001, "llama-perplexity gives 98.6170");
        }
    }
}
