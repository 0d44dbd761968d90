package dev.quantscope.engine.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Text to token ids and back, reproducing llama.cpp's tokenizers id for id. Build one with {@link Tokenizers}.
 *
 * <p>Pieces are bytes, not strings: a byte-fallback token such as {@code <0xE2>} is a third of a character, so
 * streaming output should collect {@link #pieceBytes} and decode complete UTF-8 sequences.
 */
public sealed interface Tokenizer permits SpmTokenizer, BpeTokenizer, WordPieceTokenizer {

    /**
     * Tokenizes as llama.cpp's {@code llama_tokenize}.
     *
     * @param addSpecial   add the tokens the model asks for: BOS if its add_bos flag is set (Llama yes, GPT-2 no),
     *                     EOS if add_eos, and BERT's [CLS] … [SEP]
     * @param parseSpecial recognise control tokens such as {@code <s>} written in the text; user-defined tokens
     *                     are always recognised
     */
    int[] encode(String text, boolean addSpecial, boolean parseSpecial);

    /** {@link #encode(String, boolean, boolean)} without parsing control tokens from the text. */
    default int[] encode(String text, boolean addBos) { return encode(text, addBos, false); }

    /**
     * The bytes a token stands for, as llama.cpp's {@code llama_token_to_piece}: control and unknown tokens are
     * empty unless {@code special}.
     */
    byte[] pieceBytes(int token, boolean special);

    Vocabulary vocabulary();

    SpecialTokens specials();

    /** One token's text, control tokens rendered empty. A lone byte token decodes to U+FFFD. */
    default String decode(int token) { return new String(pieceBytes(token, false), StandardCharsets.UTF_8); }

    /**
     * The text of a token sequence, SentencePiece-style: control tokens are dropped and the space the tokenizer
     * put in front of the text (or, for WordPiece, of every word) is removed from the first piece that renders
     * anything. Byte-level BPE vocabularies with clean_up_tokenization_spaces also get Hugging Face's clean-up. (llama.cpp keeps that
     * space when the sequence starts with BOS; {@link #detokenize} reproduces llama.cpp exactly.)
     */
    default String decode(int[] tokens) {
        return new String(detokenizeBytes(this, tokens, false, false, true), StandardCharsets.UTF_8);
    }

    /** llama.cpp's {@code llama_detokenize}, quirks included. */
    default String detokenize(int[] tokens, boolean removeSpecial, boolean unparseSpecial) {
        return new String(detokenizeBytes(this, tokens, removeSpecial, unparseSpecial, false), StandardCharsets.UTF_8);
    }

    default int bos() { return specials().bos(); }

    default int eos() { return specials().eos(); }

    default int vocabSize() { return vocabulary().size(); }

    private static byte[] detokenizeBytes(Tokenizer tokenizer, int[] tokens, boolean removeSpecial,
                                          boolean unparseSpecial, boolean stripFirstRendered) {
        SpecialTokens sp = tokenizer.specials();
        int from = 0;
        int to = tokens.length;
        // the space the tokenizer put in front: SentencePiece's dummy prefix, or WordPiece's phantom "▁" (which
        // llama.cpp leaves in; only our SentencePiece-style decode takes it out)
        boolean removeSpace = sp.addSpacePrefix() || (stripFirstRendered && tokenizer instanceof WordPieceTokenizer);
        if (removeSpecial && sp.addBos() && to > from && tokens[from] == sp.bos()) {
            removeSpace = false;
            from++;
        }
        if (removeSpecial && sp.addEos() && to > from && tokens[to - 1] == sp.eos()) to--;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = from; i < to; i++) {
            byte[] piece = tokenizer.pieceBytes(tokens[i], unparseSpecial);
            int skip = removeSpace && piece.length > 0 && piece[0] == ' ' ? 1 : 0;
            out.write(piece, skip, piece.length - skip);
            // llama.cpp spends the strip on the first token even when it renders nothing (a BOS)
            if (!stripFirstRendered || piece.length > 0) removeSpace = false;
        }
        byte[] text = out.toByteArray();
        return sp.cleanSpaces() ? cleanSpaces(text) : text;
    }

    /** llama.cpp's three clean-up passes (Hugging Face's clean_up_tokenization_spaces), ported in place. */
    private static byte[] cleanSpaces(byte[] text) {
        int total = text.length;
        // " ?", " !", " .", " ,": drop the space
        int total1 = total;
        total = total > 0 ? 1 : 0;
        for (int i = 1; i < total1; i++) {
            byte x = text[i];
            if (text[i - 1] == ' ' && (x == '?' || x == '!' || x == '.' || x == ',')) total--;
            text[total++] = x;
        }
        // " ' ": drop both spaces around a lone apostrophe
        int total2 = total;
        total = total > 0 ? 1 : 0;
        for (int i = 1; i < total2; i++) {
            byte x = text[i];
            if (x == '\'' && i + 1 < total2 && text[i - 1] == ' ' && text[i + 1] == ' ') {
                total--;
                text[++i] = 0;
            }
            text[total++] = x;
        }
        // " 's", " 'm", " 're", " 've": drop the space before the contraction
        int total3 = total;
        total = total > 0 ? 1 : 0;
        for (int i = 1; i < total3; i++) {
            byte x = text[i];
            if (text[i - 1] == ' ' && x == '\'' && i + 1 < total3) {
                byte x1 = text[i + 1];
                if (x1 == 's' || x1 == 'm') {
                    total--;
                } else if (x1 != 't' && x1 != 'd' && i + 2 < total3) {
                    byte x2 = text[i + 2];
                    if ((x1 == 'r' && x2 == 'e') || (x1 == 'v' && x2 == 'e')) total--;
                }
            }
            text[total++] = x;
        }
        return Arrays.copyOf(text, total);
    }
}
