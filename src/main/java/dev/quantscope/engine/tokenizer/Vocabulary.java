package dev.quantscope.engine.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A token table: text, score and type per id, the reverse lookup from text to id, and the special ids.
 * Shared by every tokenizer kind; immutable once built.
 */
public final class Vocabulary {
    /** llama.cpp's LLAMA_TOKEN_NULL: "no such token". */
    public static final int NONE = -1;

    private final String[] texts;
    private final float[] scores;
    private final TokenType[] types;
    private final Map<String, Integer> ids;
    private final int maxTokenBytes;
    private final int[] specialsLongestFirst;

    /**
     * @param texts  token texts by id (UTF-8 as Java strings); must be distinct
     * @param scores token scores (SentencePiece log-probabilities), or null for all zero
     * @param types  token types, or null for all NORMAL
     */
    public Vocabulary(String[] texts, float[] scores, TokenType[] types) {
        int n = texts.length;
        if (scores != null && scores.length < n) throw new IllegalArgumentException(scores.length + " scores for " + n + " tokens");
        if (types != null && types.length < n) throw new IllegalArgumentException(types.length + " token types for " + n + " tokens");
        this.texts = texts.clone();
        this.scores = scores == null ? new float[n] : Arrays.copyOf(scores, n);
        this.types = new TokenType[n];
        this.ids = HashMap.newHashMap(n);
        int maxBytes = 0;
        for (int i = 0; i < n; i++) {
            String t = texts[i];
            // llama.cpp renames empty tokens so that every id stays reachable by text
            if (t == null || t.isEmpty()) t = "[EMPTY_" + i + "]";
            this.texts[i] = t;
            Integer previous = ids.putIfAbsent(t, i);
            if (previous != null) {
                throw new IllegalArgumentException("duplicate token in vocabulary: '" + t + "' has ids " + previous + " and " + i);
            }
            this.types[i] = types == null ? TokenType.NORMAL : types[i];
            maxBytes = Math.max(maxBytes, t.getBytes(StandardCharsets.UTF_8).length);
        }
        this.maxTokenBytes = maxBytes;
        // Special tokens are cut out of the text before tokenizing, longest first so that a token containing
        // another wins. Ties keep id order to stay deterministic.
        List<Integer> specials = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            TokenType t = this.types[i];
            if (t == TokenType.CONTROL || t == TokenType.USER_DEFINED || t == TokenType.UNKNOWN) specials.add(i);
        }
        specials.sort(Comparator.comparingInt((Integer id) -> -this.texts[id].getBytes(StandardCharsets.UTF_8).length));
        this.specialsLongestFirst = specials.stream().mapToInt(Integer::intValue).toArray();
    }

    public int size() { return texts.length; }

    public String text(int id) { return texts[id]; }

    public float score(int id) { return scores[id]; }

    public TokenType type(int id) { return types[id]; }

    /** The id of a token text, or {@link #NONE}. */
    public int id(String text) {
        Integer id = ids.get(text);
        return id == null ? NONE : id;
    }

    public boolean contains(int id) { return id >= 0 && id < texts.length; }

    /** Length in UTF-8 bytes of the longest token text, which bounds WordPiece's longest-match search. */
    public int maxTokenBytes() { return maxTokenBytes; }

    /** Control, user-defined and unknown token ids, longest text first. */
    int[] specialsLongestFirst() { return specialsLongestFirst; }

    /** Overrides a token's type; used for llama.cpp's name-based fix-ups of end-of-generation tokens. */
    void setType(int id, TokenType type) { types[id] = type; }
}
