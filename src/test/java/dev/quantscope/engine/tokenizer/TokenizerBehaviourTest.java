package dev.quantscope.engine.tokenizer;

import dev.quantscope.format.Model;
import dev.quantscope.format.ModelOpener;
import dev.quantscope.testing.SharedFiles;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Special tokens, decoding, the small stories260K vocabulary, and real text encoded repeatably and losslessly. */
class TokenizerBehaviourTest {

    private static Tokenizer open(String relative) throws IOException {
        try (Model model = ModelOpener.open(SharedFiles.file(relative))) {
            return Tokenizers.forModel(model); // the tokenizer copies what it needs: usable after close
        }
    }

    private static String shakespeare40k() throws IOException {
        byte[] head;
        try (InputStream in = Files.newInputStream(SharedFiles.file("data/text/tinyshakespeare.txt"))) {
            head = in.readNBytes(40_000);
        }
        assertEquals(40_000, head.length);
        return new String(head, StandardCharsets.UTF_8);
    }

    @Test
    void stories260kEncodesAndDecodesOnceUponATime() throws IOException {
        Tokenizer t = open("models/stories260K.gguf");
        assertEquals(512, t.vocabSize());
        assertEquals(1, t.bos());
        assertEquals(2, t.eos());
        int[] plain = t.encode("Once upon a time", false);
        int[] withBos = t.encode("Once upon a time", true);
        assertTrue(plain.length >= 4 && plain.length <= 16, Arrays.toString(plain));
        assertEquals(1, withBos[0]);
        assertArrayEquals(plain, Arrays.copyOfRange(withBos, 1, withBos.length));
        // every id is a real piece of the 512-token vocabulary, and the first carries the dummy-prefix space
        for (int id : plain) assertTrue(id > 2 && id < 512, "id " + id);
        assertTrue(t.vocabulary().text(plain[0]).startsWith("\u2581"), t.vocabulary().text(plain[0]));
        StringBuilder pieces = new StringBuilder();
        for (int id : plain) pieces.append(t.decode(id));
        assertEquals(" Once upon a time", pieces.toString());
        assertEquals("Once upon a time", t.decode(plain));
        assertEquals("Once upon a time", t.decode(withBos));
        // llama.cpp's detokenizer spends the leading-space strip on the (invisible) BOS
        assertEquals(" Once upon a time", t.detokenize(withBos, false, false));
        assertEquals("<s> Once upon a time", t.detokenize(withBos, false, true));
        assertEquals("Once upon a time", t.detokenize(plain, false, false));
    }

    @Test
    void controlTokensAreParsedOnlyWhenAsked() throws IOException {
        Tokenizer t = open("tokenizers/ggml-vocab-llama-spm.gguf");
        assertArrayEquals(new int[] {1, 15043, 3186}, t.encode("Hello world", true));
        int[] parsed = t.encode("<s>Hello", false, true);
        assertEquals(1, parsed[0]);
        // after a special token the text gets the dummy-prefix space again
        assertArrayEquals(t.encode("Hello", false), Arrays.copyOfRange(parsed, 1, parsed.length));
        int[] literal = t.encode("<s>Hello", false, false);
        assertTrue(Arrays.stream(literal).noneMatch(id -> id == 1), Arrays.toString(literal));
        assertEquals("<s>Hello", t.decode(literal));
        assertEquals("", t.decode(1));
        assertArrayEquals(new byte[] {'<', 's', '>'}, t.pieceBytes(1, true));
    }

    @Test
    void byteFallbackPiecesReassembleIntoCharacters() throws IOException {
        Tokenizer t = open("tokenizers/ggml-vocab-llama-spm.gguf");
        String text = " this is \uD83E\uDD99.cpp";
        int[] ids = t.encode(text, false);
        // 🦙 is not in the vocabulary: four <0xXX> byte tokens
        assertArrayEquals(new int[] {29871, 445, 338, 29871, 243, 162, 169, 156, 29889, 8223}, ids);
        assertEquals(1, t.pieceBytes(243, false).length);
        assertEquals((byte) 0xF0, t.pieceBytes(243, false)[0]);
        assertEquals(text, t.decode(ids));
    }

    @Test
    void gpt2AddsNoBosAndDecodesByteLevelPieces() throws IOException {
        Tokenizer t = open("tokenizers/ggml-vocab-gpt-2.gguf");
        assertEquals(50256, t.bos());
        assertArrayEquals(t.encode("Hello world", false), t.encode("Hello world", true)); // add_bos is off for GPT-2
        assertArrayEquals(new int[] {15496, 50256}, t.encode("Hello<|endoftext|>", false, true));
        assertEquals(" world", t.decode(995));
        String text = "Hello, y'all! How are you \uD83D\uDE01 \u6211\u60F3\u5728apple";
        assertEquals(text, t.decode(t.encode(text, false)));
        // clean_up_tokenization_spaces: " ?" loses its space in llama.cpp's detokenizer
        assertEquals("you?", t.detokenize(t.encode("you ?", false), false, false));
    }

    @Test
    void wordPieceAddsClsAndSep() throws IOException {
        Tokenizer t = open("tokenizers/ggml-vocab-bert-bge.gguf");
        int[] ids = t.encode("Hello world", true);
        assertArrayEquals(new int[] {101, 7592, 2088, 102}, ids);
        assertEquals("hello world", t.decode(ids));
        assertEquals(" hello world", t.detokenize(ids, false, false));
    }

    /** Speed is a benchmark's business, not a test's: this checks determinism and losslessness on real text. */
    @Test
    void fortyKilobytesOfShakespeareTokenizeDeterministicallyAndLosslessly() throws IOException {
        String text = shakespeare40k();
        for (String vocab : new String[] {"tokenizers/ggml-vocab-llama-spm.gguf", "models/stories260K.gguf",
                "tokenizers/ggml-vocab-gpt-2.gguf"}) {
            Tokenizer t = open(vocab);
            int[] ids = t.encode(text, true);
            assertArrayEquals(ids, t.encode(text, true), vocab + ": a second encoding differs");
            assertTrue(ids.length > 5_000 && ids.length < 40_000, vocab + ": " + ids.length + " tokens");
            // lossless: the pieces give back the exact bytes
            ByteArrayOutputStream back = new ByteArrayOutputStream();
            for (int id : ids) back.writeBytes(t.pieceBytes(id, false));
            String decoded = back.toString(StandardCharsets.UTF_8);
            assertEquals(text, t instanceof SpmTokenizer ? decoded.substring(1) : decoded);
        }
    }
}
