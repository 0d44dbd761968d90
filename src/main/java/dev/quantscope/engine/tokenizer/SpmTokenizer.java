package dev.quantscope.engine.tokenizer;

import java.nio.charset.StandardCharsets;

/**
 * The SentencePiece-style Llama tokenizer (GGUF {@code tokenizer.ggml.model = "llama"}), as llama.cpp's
 * llm_tokenizer_spm: spaces become "▁", a "▁" is put in front of the text and after every special token, then
 * adjacent symbols are merged greedily, highest vocabulary score first, with a priority queue; what is left
 * unmatched falls back to {@code <0xXX>} byte tokens.
 */
public final class SpmTokenizer implements Tokenizer {
    static final String SPACE_MARK = "\u2581";

    private final Vocabulary vocab;
    private final SpecialTokens specials;

    public SpmTokenizer(Vocabulary vocab, SpecialTokens specials) {
        this.vocab = vocab;
        this.specials = specials;
    }

    @Override public Vocabulary vocabulary() { return vocab; }

    @Override public SpecialTokens specials() { return specials; }

    @Override
    public int[] encode(String text, boolean addSpecial, boolean parseSpecial) {
        IntList out = new IntList(text.length() / 3 + 4);
        boolean prevSpecial = true; // the text start counts as "after a special token": it gets the space prefix
        if (addSpecial && specials.addBos()) out.add(requireId(specials.bos(), "BOS"));
        for (Fragment fragment : Fragment.partition(text, vocab, parseSpecial)) {
            switch (fragment) {
                case Fragment.Text(String raw) -> {
                    String prefixed = specials.addSpacePrefix() && prevSpecial ? " " + raw : raw;
                    tokenize(prefixed.replace(" ", SPACE_MARK), out);
                    prevSpecial = false;
                }
                case Fragment.Token(int id) -> {
                    out.add(id);
                    prevSpecial = true;
                }
            }
        }
        if (addSpecial && specials.addEos()) out.add(requireId(specials.eos(), "EOS"));
        return out.toArray();
    }

    private static int requireId(int id, String what) {
        if (id == Vocabulary.NONE) throw new IllegalStateException("the vocabulary asks for " + what + " but has none");
        return id;
    }

    private void tokenize(String text, IntList out) {
        // highest score of the merged piece first (priority = -score); ties go to the leftmost pair, as in llama.cpp
        SymbolMerger.merge(text, (t, start, mid, end) -> {
            int id = vocab.id(t.substring(start, end));
            return id == Vocabulary.NONE ? Double.NaN : -(double) vocab.score(id);
        }, (start, end) -> {
            String piece = text.substring(start, end);
            int id = vocab.id(piece);
            if (id != Vocabulary.NONE) {
                out.add(id);
            } else {
                for (byte b : piece.getBytes(StandardCharsets.UTF_8)) out.add(byteToken(b & 0xFF));
            }
        });
    }

    /**
     * A raw byte's token: {@code <0xXX>}, else the byte itself as a one-character token. llama.cpp aborts when
     * neither exists; we give the unknown token so that odd vocabularies still tokenize.
     */
    int byteToken(int b) {
        int id = vocab.id(String.format("<0x%02X>", b));
        if (id == Vocabulary.NONE && b < 0x80) id = vocab.id(String.valueOf((char) b));
        if (id == Vocabulary.NONE) id = specials.unk();
        if (id == Vocabulary.NONE) throw new IllegalStateException("no token for byte 0x" + Integer.toHexString(b));
        return id;
    }

    @Override
    public byte[] pieceBytes(int token, boolean special) {
        return renderSentencePiece(vocab, token, special);
    }

    /** llama.cpp's token_to_piece for SentencePiece and WordPiece vocabularies ("▁" is a space). */
    static byte[] renderSentencePiece(Vocabulary vocab, int token, boolean special) {
        TokenType type = vocab.type(token);
        if (!special && type.isSpecial()) return new byte[0];
        String text = vocab.text(token);
        return switch (type) {
            case CONTROL, UNKNOWN, USER_DEFINED -> text.getBytes(StandardCharsets.UTF_8);
            case NORMAL -> text.replace(SPACE_MARK, " ").getBytes(StandardCharsets.UTF_8);
            case BYTE -> new byte[] {byteOf(text)};
            case UNUSED, UNDEFINED -> new byte[0];
        };
    }

    /** The byte of a {@code <0xXX>} token. */
    static byte byteOf(String byteToken) {
        if (byteToken.length() != 6 || !byteToken.startsWith("<0x") || byteToken.charAt(5) != '>') {
            throw new IllegalStateException("byte token '" + byteToken + "' is not of the form <0xXX>");
        }
        return (byte) Integer.parseInt(byteToken.substring(3, 5), 16);
    }
}
