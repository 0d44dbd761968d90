package dev.quantscope.eval;

import dev.quantscope.engine.tokenizer.Tokenizers;

import dev.quantscope.format.Model;
import dev.quantscope.testing.SharedFiles;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Arrays;

/** The first 40,000 bytes of tinyshakespeare, tokenized with BOS (the llama-perplexity reference setup). */
final class TestTokens {
    private TestTokens() {}

    static int[] shakespeare(Model model) throws Exception {
        byte[] all = Files.readAllBytes(SharedFiles.file("data/text/tinyshakespeare.txt"));
        String text = new String(Arrays.copyOf(all, 40_000), StandardCharsets.UTF_8);
        return Tokenizers.forModel(model).encode(text, true);
    }
}
