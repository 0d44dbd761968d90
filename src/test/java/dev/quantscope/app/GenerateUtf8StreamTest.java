package dev.quantscope.app;

import dev.quantscope.app.generate.Utf8Stream;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Token pieces cut characters anywhere; the streamed text must still equal decoding all bytes at once. */
class GenerateUtf8StreamTest {

    @Test
    void aCharacterSplitOverByteTokensAppearsOnceComplete() {
        byte[] euro = "€".getBytes(StandardCharsets.UTF_8); // E2 82 AC: three byte-fallback tokens in SentencePiece
        Utf8Stream s = new Utf8Stream();
        assertEquals("a", s.append(new byte[] {'a', euro[0]}));
        assertEquals("", s.append(new byte[] {euro[1]}));
        assertEquals("€b", s.append(new byte[] {euro[2], 'b'}));
        assertEquals("", s.flush());
    }

    @Test
    void randomCutsOfMixedTextConcatenateToTheWholeDecode() {
        String text = "Once upon a time — a naïve 🐉 said «Grüß Gott», 東京 ok\n";
        byte[] all = text.repeat(20).getBytes(StandardCharsets.UTF_8);
        SplittableRandom random = new SplittableRandom(7);
        for (int trial = 0; trial < 200; trial++) {
            Utf8Stream s = new Utf8Stream();
            StringBuilder out = new StringBuilder();
            int at = 0;
            while (at < all.length) {
                int n = Math.min(all.length - at, 1 + random.nextInt(5));
                out.append(s.append(Arrays.copyOfRange(all, at, at + n)));
                at += n;
            }
            out.append(s.flush());
            assertEquals(text.repeat(20), out.toString());
        }
    }

    @Test
    void anUnfinishedSequenceAtTheEndIsFlushedAsTheDecoderWouldShowIt() {
        Utf8Stream s = new Utf8Stream();
        assertEquals("x", s.append(new byte[] {'x', (byte) 0xF0, (byte) 0x9F}));
        assertEquals(new String(new byte[] {(byte) 0xF0, (byte) 0x9F}, StandardCharsets.UTF_8), s.flush());
    }
}
