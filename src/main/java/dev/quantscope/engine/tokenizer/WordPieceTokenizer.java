package dev.quantscope.engine.tokenizer;

import java.util.ArrayList;
import java.util.List;

/**
 * BERT's WordPiece as llama.cpp's llm_tokenizer_wpm (GGUF {@code tokenizer.ggml.model = "bert"}): the text is
 * lowercased, accents are stripped, it is cut at whitespace and around punctuation and CJK characters, and each
 * word, written with a leading "▁", is covered greedily by the longest vocabulary entries. The GGUF vocabulary
 * spells word-initial pieces "▁piece" and continuations "piece" (Hugging Face's "##piece").
 */
public final class WordPieceTokenizer implements Tokenizer {
    private final Vocabulary vocab;
    private final SpecialTokens specials;
    private final boolean lowercase;
    private final boolean stripAccents;

    public WordPieceTokenizer(Vocabulary vocab, SpecialTokens specials, boolean lowercase, boolean stripAccents) {
        this.vocab = vocab;
        this.specials = specials;
        this.lowercase = lowercase;
        this.stripAccents = stripAccents;
    }

    @Override public Vocabulary vocabulary() { return vocab; }

    @Override public SpecialTokens specials() { return specials; }

    @Override
    public int[] encode(String text, boolean addSpecial, boolean parseSpecial) {
        IntList out = new IntList(text.length() / 3 + 4);
        if (addSpecial) out.add(require(specials.bos(), "BOS/[CLS]"));
        for (Fragment fragment : Fragment.partition(text, vocab, parseSpecial)) {
            switch (fragment) {
                case Fragment.Text(String raw) -> {
                    for (String word : words(raw)) tokenizeWord(word, out);
                }
                case Fragment.Token(int id) -> out.add(id);
            }
        }
        if (addSpecial) out.add(require(specials.sep(), "SEP"));
        return out.toArray();
    }

    private static int require(int id, String what) {
        if (id == Vocabulary.NONE) throw new IllegalStateException("the vocabulary asks for " + what + " but has none");
        return id;
    }

    /** llama.cpp's preprocess: normalise, then split at whitespace and isolate punctuation and CJK. */
    List<String> words(String text) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        text.codePoints().forEach(original -> {
            int cp = stripAccents ? UnicodeClass.nfdFirst(original) : original;
            if (UnicodeClass.isWhitespace(cp)) {
                flush(word, words);
                return;
            }
            if (cp == 0 || cp == 0xFFFD || UnicodeClass.isControl(cp)) return;
            if (stripAccents && UnicodeClass.isAccentMark(cp)) return;
            int c = lowercase ? UnicodeClass.toLower(cp) : cp;
            if (UnicodeClass.isPunctuation(cp) || (cp < 0x7F && UnicodeClass.isSymbol(cp)) || isChinese(cp)) {
                flush(word, words);
                words.add(Character.toString(c));
            } else {
                word.appendCodePoint(c);
            }
        });
        flush(word, words);
        return words;
    }

    private static void flush(StringBuilder word, List<String> words) {
        if (!word.isEmpty()) words.add(word.toString());
        word.setLength(0);
    }

    /** The CJK ranges BERT isolates, including the 0x2B920 typo llama.cpp copies from Hugging Face. */
    private static boolean isChinese(int cp) {
        return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x20000 && cp <= 0x2A6DF)
                || (cp >= 0x2A700 && cp <= 0x2B73F) || (cp >= 0x2B740 && cp <= 0x2B81F) || (cp >= 0x2B920 && cp <= 0x2CEAF)
                || (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x2F800 && cp <= 0x2FA1F);
    }

    /** Longest match first from each position; a word with any uncovered position becomes one unknown token. */
    private void tokenizeWord(String word, IntList out) {
        String w = SpmTokenizer.SPACE_MARK + word;
        int maxBytes = vocab.maxTokenBytes();
        // UTF-8 byte offset of every code point boundary, for llama.cpp's byte-length limit
        int[] boundaries = w.codePoints().toArray();
        int n = boundaries.length;
        int[] charAt = new int[n + 1];
        int[] byteAt = new int[n + 1];
        for (int i = 0, ch = 0, by = 0; i < n; i++) {
            charAt[i] = ch;
            byteAt[i] = by;
            ch += Character.charCount(boundaries[i]);
            by += utf8Length(boundaries[i]);
        }
        charAt[n] = w.length();
        byteAt[n] = byteAt[n - 1] + utf8Length(boundaries[n - 1]);
        IntList pieces = new IntList(4);
        for (int i = 0; i < n; ) {
            int found = -1;
            int foundEnd = -1;
            for (int j = n; j > i; j--) {
                if (byteAt[j] - byteAt[i] > maxBytes) continue;
                int id = vocab.id(w.substring(charAt[i], charAt[j]));
                if (id != Vocabulary.NONE) {
                    found = id;
                    foundEnd = j;
                    break;
                }
            }
            if (found < 0) {
                pieces = null;
                break;
            }
            pieces.add(found);
            i = foundEnd;
        }
        if (pieces == null || pieces.size() == 0) {
            out.add(specials.unk());
            return;
        }
        for (int k = 0; k < pieces.size(); k++) out.add(pieces.get(k));
    }

    private static int utf8Length(int cp) {
        return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    }

    @Override
    public byte[] pieceBytes(int token, boolean special) {
        return SpmTokenizer.renderSentencePiece(vocab, token, special);
    }
}
