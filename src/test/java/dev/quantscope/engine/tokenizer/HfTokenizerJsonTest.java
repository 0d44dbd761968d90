package dev.quantscope.engine.tokenizer;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quantscope.format.Model;
import dev.quantscope.format.ModelOpener;
import dev.quantscope.testing.SharedFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The tokenizer.json reader. There is no BPE tokenizer.json in ../shared, so the BPE files are written here from
 * llama.cpp's vocabularies in the form Hugging Face's converters give them (GPT-2: ByteLevel; Llama: merges
 * derived from the SentencePiece scores, Prepend/Replace normalizer, byte fallback), and must then reproduce
 * llama.cpp's vectors. The WordPiece file is a real one: all-MiniLM-L6-v2's, the bert-base-uncased vocabulary.
 */
class HfTokenizerJsonTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private static List<String> vocabTexts(Model model) {
        List<String> out = new ArrayList<>();
        for (Object o : (List<?>) model.metadata().get("tokenizer.ggml.tokens")) out.add((String) o);
        return out;
    }

    @Test
    void byteLevelBpeTokenizerJsonMatchesGpt2Vectors() throws IOException {
        Path gguf = SharedFiles.file("tokenizers/ggml-vocab-gpt-2.gguf");
        try (Model model = ModelOpener.open(gguf)) {
            ObjectNode root = JSON.createObjectNode();
            ObjectNode bpe = root.putObject("model");
            bpe.put("type", "BPE");
            ObjectNode vocab = bpe.putObject("vocab");
            List<String> texts = vocabTexts(model);
            for (int i = 0; i < texts.size(); i++) vocab.put(texts.get(i), i);
            ArrayNode merges = bpe.putArray("merges");
            for (Object m : (List<?>) model.metadata().get("tokenizer.ggml.merges")) merges.add((String) m);
            root.putObject("pre_tokenizer").put("type", "ByteLevel").put("add_prefix_space", false).put("use_regex", true);
            root.putObject("decoder").put("type", "ByteLevel");
            ObjectNode eot = root.putArray("added_tokens").addObject();
            eot.put("id", 50256).put("content", "<|endoftext|>").put("special", true);
            Path json = dir.resolve("tokenizer.json");
            JSON.writeValue(json.toFile(), root);

            Tokenizer tokenizer = Tokenizers.fromHuggingFace(json);
            assertInstanceOf(BpeTokenizer.class, tokenizer);
            assertEquals(50000, ((BpeTokenizer) tokenizer).mergeCount());
            LlamaCppVectors vectors = LlamaCppVectors.read(gguf);
            List<String> failures = vectors.failures(tokenizer);
            assertTrue(failures.isEmpty(), String.join("\n", failures));
            assertArrayEquals(new int[] {15496, 50256}, tokenizer.encode("Hello<|endoftext|>", false, true));
            assertEquals("Hello world", tokenizer.decode(tokenizer.encode("Hello world", false)));
        }
    }

    @Test
    void sentencePieceStyleBpeWithByteFallbackMatchesLlamaVectors() throws IOException {
        Path gguf = SharedFiles.file("tokenizers/ggml-vocab-llama-spm.gguf");
        try (Model model = ModelOpener.open(gguf)) {
            List<String> texts = vocabTexts(model);
            List<?> scores = (List<?>) model.metadata().get("tokenizer.ggml.scores");
            List<?> types = (List<?>) model.metadata().get("tokenizer.ggml.token_type");
            java.util.Map<String, Integer> ids = new java.util.HashMap<>();
            for (int i = 0; i < texts.size(); i++) ids.put(texts.get(i), i);
            // Hugging Face's SentencePiece converter: a merge for every split of a normal piece into two pieces,
            // ordered by the merged piece's score, then by the ids of the two sides
            record Merge(String left, String right, double score, int leftId, int rightId) {}
            List<Merge> merges = new ArrayList<>();
            for (int i = 0; i < texts.size(); i++) {
                if (((Number) types.get(i)).intValue() != 1) continue;
                String piece = texts.get(i);
                for (int cut = piece.offsetByCodePoints(0, 1); cut < piece.length(); cut = piece.offsetByCodePoints(cut, 1)) {
                    Integer l = ids.get(piece.substring(0, cut));
                    Integer r = ids.get(piece.substring(cut));
                    if (l != null && r != null) {
                        merges.add(new Merge(piece.substring(0, cut), piece.substring(cut), ((Number) scores.get(i)).doubleValue(), l, r));
                    }
                }
            }
            merges.sort(Comparator.comparingDouble((Merge m) -> -m.score()).thenComparingInt(Merge::leftId).thenComparingInt(Merge::rightId));
            ObjectNode root = JSON.createObjectNode();
            ObjectNode bpe = root.putObject("model");
            bpe.put("type", "BPE").put("byte_fallback", true).put("unk_token", "<unk>").put("fuse_unk", true);
            ObjectNode vocab = bpe.putObject("vocab");
            for (int i = 0; i < texts.size(); i++) vocab.put(texts.get(i), i);
            ArrayNode mergeArray = bpe.putArray("merges");
            for (Merge m : merges) mergeArray.addArray().add(m.left()).add(m.right());
            ObjectNode normalizer = root.putObject("normalizer").put("type", "Sequence");
            ArrayNode normalizers = normalizer.putArray("normalizers");
            normalizers.addObject().put("type", "Prepend").put("prepend", "\u2581");
            ObjectNode replace = normalizers.addObject().put("type", "Replace");
            replace.putObject("pattern").put("String", " ");
            replace.put("content", "\u2581");
            root.putNull("pre_tokenizer");
            ObjectNode post = root.putObject("post_processor").put("type", "TemplateProcessing");
            ArrayNode single = post.putArray("single");
            single.addObject().putObject("SpecialToken").put("id", "<s>").put("type_id", 0);
            single.addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
            ArrayNode added = root.putArray("added_tokens");
            added.addObject().put("id", 0).put("content", "<unk>").put("special", true);
            added.addObject().put("id", 1).put("content", "<s>").put("special", true);
            added.addObject().put("id", 2).put("content", "</s>").put("special", true);
            Path json = dir.resolve("tokenizer.json");
            JSON.writeValue(json.toFile(), root);

            Tokenizer tokenizer = Tokenizers.fromHuggingFace(json);
            assertEquals(1, tokenizer.bos());
            assertEquals(32000, tokenizer.vocabSize());
            LlamaCppVectors vectors = LlamaCppVectors.read(gguf);
            List<String> failures = vectors.failures(tokenizer);
            assertTrue(failures.isEmpty(), failures.size() + " differ:\n" + String.join("\n", failures));
            int[] withBos = tokenizer.encode("Hello world", true);
            assertArrayEquals(new int[] {1, 15043, 3186}, withBos);
            assertEquals("Hello world", tokenizer.decode(withBos));
            // a character outside the vocabulary falls back to its UTF-8 bytes and decodes back
            String llama = "this is \uD83E\uDD99.cpp";
            assertEquals(llama, tokenizer.decode(tokenizer.encode(llama, false)));
        }
    }

    @Test
    void realWordPieceTokenizerJsonMatchesBertBgeVectors() throws IOException {
        Path json = dir.resolve("tokenizer.json");
        try (InputStream in = getClass().getResourceAsStream("/all-minilm-l6-v2-q-tokenizer.json")) {
            assertNotNull(in, "all-MiniLM-L6-v2 tokenizer.json missing from the test classpath");
            Files.copy(in, json);
        }
        Tokenizer tokenizer = Tokenizers.fromHuggingFace(json);
        assertInstanceOf(WordPieceTokenizer.class, tokenizer);
        assertEquals(30522, tokenizer.vocabSize());
        // bge-small-en and all-MiniLM-L6-v2 share bert-base-uncased's vocabulary, so llama.cpp's vectors apply
        LlamaCppVectors vectors = LlamaCppVectors.read(SharedFiles.file("tokenizers/ggml-vocab-bert-bge.gguf"));
        List<String> failures = vectors.failures(tokenizer);
        assertTrue(failures.isEmpty(), failures.size() + " differ:\n" + String.join("\n", failures));
        assertArrayEquals(new int[] {101, 7592, 2088, 102}, tokenizer.encode("Hello world", true));
        assertEquals("hello world", tokenizer.decode(tokenizer.encode("Hello world", true)));
    }
}
