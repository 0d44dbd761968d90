package dev.quantscope.prune.calibration;

import dev.quantscope.engine.tokenizer.Tokenizer;
import dev.quantscope.engine.tokenizer.Tokenizers;
import dev.quantscope.format.Model;
import dev.quantscope.format.ModelOpener;
import dev.quantscope.testing.SharedFiles;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class CalibrationChunksTest {

    @Test
    void cutsTheCappedTokensIntoWindowsThatStartWithBos() {
        int[] tokens = new int[25];
        for (int i = 0; i < tokens.length; i++) tokens[i] = 100 + i;
        CalibrationChunks c = CalibrationChunks.of(tokens, 8, 20, 1);
        assertEquals(3, c.size());
        assertArrayEquals(new int[] {1, 101, 102, 103, 104, 105, 106, 107}, c.windows().get(0));
        assertArrayEquals(new int[] {1, 109, 110, 111, 112, 113, 114, 115}, c.windows().get(1));
        assertArrayEquals(new int[] {1, 117, 118, 119}, c.windows().get(2));
        assertEquals(20, c.tokenCount());
        assertEquals(8, c.longest());
        assertArrayEquals(Arrays.copyOf(tokens, 8), CalibrationChunks.of(tokens, 8, 8, -1).windows().getFirst());
        assertThrows(IllegalArgumentException.class, () -> CalibrationChunks.of(new int[0], 8, 0, 1));
    }

    @Test
    void tokenizesTextWithTheModelsTokenizer() throws Exception {
        String text = "First Citizen:\nBefore we proceed any further, hear me speak.";
        try (Model model = ModelOpener.open(SharedFiles.file("models/stories260K.gguf"))) {
            Tokenizer tok = Tokenizers.forModel(model);
            int[] tokens = tok.encode(text, true);
            CalibrationChunks c = CalibrationChunks.ofText(model, text, 16, 0);
            assertEquals(tokens.length, c.tokenCount());
            assertArrayEquals(Arrays.copyOf(tokens, 16), c.windows().getFirst(), "the text starts with BOS already");
        }
    }
}
