package dev.quantscope.engine.tokenizer;

import dev.quantscope.format.Model;
import dev.quantscope.format.ModelOpener;
import dev.quantscope.testing.SharedFiles;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every one of llama.cpp's tokenizer test vectors, id for id. */
class GgufTokenizerVectorsTest {

    private static void check(String name, Class<? extends Tokenizer> kind, int vocabSize) throws IOException {
        Path file = SharedFiles.file("tokenizers/" + name);
        LlamaCppVectors vectors = LlamaCppVectors.read(file);
        assertEquals(46, vectors.inputs().size(), "vector count");
        try (Model model = ModelOpener.open(file)) {
            Tokenizer tokenizer = Tokenizers.forModel(model);
            assertInstanceOf(kind, tokenizer);
            assertEquals(vocabSize, tokenizer.vocabSize());
            List<String> failures = vectors.failures(tokenizer);
            assertTrue(failures.isEmpty(), failures.size() + " of " + vectors.inputs().size() + " vectors differ:\n"
                    + String.join("\n", failures));
        }
    }

    @Test
    void llamaSentencePieceMatchesAllVectors() throws IOException {
        check("ggml-vocab-llama-spm.gguf", SpmTokenizer.class, 32000);
    }

    @Test
    void gpt2BpeMatchesAllVectors() throws IOException {
        check("ggml-vocab-gpt-2.gguf", BpeTokenizer.class, 50257);
    }

    @Test
    void bertWordPieceMatchesAllVectors() throws IOException {
        check("ggml-vocab-bert-bge.gguf", WordPieceTokenizer.class, 30522);
    }
}
