package dev.quantscope.engine.tokenizer;

import dev.quantscope.format.gguf.GgufArray;

import java.math.BigInteger;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Builds a tokenizer from GGUF's {@code tokenizer.ggml.*} metadata with llama.cpp's defaults and precedence
 * (llama_vocab::impl::load): per-kind default special ids and flags, overridden by the keys present.
 */
final class GgufVocabularyReader {
    private GgufVocabularyReader() {}

    /** Tokens llama.cpp treats as end-of-generation by name and forces to CONTROL if the file says otherwise. */
    private static final Set<String> EOG_NAMES = Set.of("<|eot_id|>", "<|im_end|>", "<|end|>", "<|return|>", "<|call|>",
            "<end_of_turn>", "<|endoftext|>", "<|eom_id|>", "<EOT>", "_<EOT>", "<|end_of_text|>", "<end_of_utterance>");

    static Tokenizer read(Map<String, Object> meta) {
        String model = string(meta, "tokenizer.ggml.model");
        if (model == null) throw new IllegalArgumentException("no tokenizer.ggml.model in the metadata: the model has no vocabulary");
        String pre = string(meta, "tokenizer.ggml.pre");
        Vocabulary vocab = vocabulary(meta);
        return switch (model) {
            case "llama" -> new SpmTokenizer(vocab, specials(meta, vocab, 1, 2, 0, Vocabulary.NONE, Vocabulary.NONE,
                    true, false, false, true, false));
            case "bert" -> {
                boolean lowercase = bool(meta, "tokenizer.ggml.normalizer.lowercase", true);
                boolean strip = bool(meta, "tokenizer.ggml.normalizer.strip_accents", lowercase);
                yield new WordPieceTokenizer(vocab, specials(meta, vocab, 101, Vocabulary.NONE, 100, 102, 0,
                        true, false, true, false, true), lowercase, strip);
            }
            case "gpt2" -> bpe(meta, vocab, pre == null ? "default" : pre);
            default -> throw new UnsupportedOperationException("tokenizer '" + model + "' is not supported (llama, gpt2 and bert are)");
        };
    }

    private static Tokenizer bpe(Map<String, Object> meta, Vocabulary vocab, String pre) {
        Map<BpeTokenizer.Pair, Integer> ranks = merges(meta);
        PreTokenizerType type = PreTokenizerType.of(pre);
        SpecialTokens sp = specials(meta, vocab, 11, 11, Vocabulary.NONE, Vocabulary.NONE, Vocabulary.NONE,
                type.addBos(), false, false, false, type.cleanSpaces());
        if (type.noBos()) sp = new SpecialTokens(Vocabulary.NONE, sp.eos(), sp.unk(), sp.sep(), sp.pad(), sp.addBos(),
                sp.addEos(), sp.addSep(), sp.addSpacePrefix(), sp.cleanSpaces());
        return new BpeTokenizer(vocab, sp, ranks, new BpeTokenizer.Options(type.splitters(), true, false,
                type.ignoreMerges(), false));
    }

    static Vocabulary vocabulary(Map<String, Object> meta) {
        List<?> tokens = list(meta, "tokenizer.ggml.tokens");
        if (tokens == null) throw new IllegalArgumentException("no tokenizer.ggml.tokens in the metadata");
        int n = tokens.size();
        String[] texts = new String[n];
        for (int i = 0; i < n; i++) texts[i] = String.valueOf(tokens.get(i));
        float[] scores = null;
        List<?> s = list(meta, "tokenizer.ggml.scores");
        if (s != null) {
            if (s.size() < n) throw new IllegalArgumentException(s.size() + " scores for " + n + " tokens");
            scores = new float[n];
            for (int i = 0; i < n; i++) scores[i] = ((Number) s.get(i)).floatValue();
        }
        TokenType[] types = null;
        List<?> t = list(meta, "tokenizer.ggml.token_type");
        if (t != null) {
            if (t.size() < n) throw new IllegalArgumentException(t.size() + " token types for " + n + " tokens");
            types = new TokenType[n];
            for (int i = 0; i < n; i++) types[i] = TokenType.ofCode(((Number) t.get(i)).longValue());
        }
        Vocabulary vocab = new Vocabulary(texts, scores, types);
        for (int i = 0; i < n; i++) {
            if (EOG_NAMES.contains(texts[i]) && vocab.type(i) != TokenType.CONTROL) vocab.setType(i, TokenType.CONTROL);
        }
        return vocab;
    }

    private static Map<BpeTokenizer.Pair, Integer> merges(Map<String, Object> meta) {
        List<?> merges = list(meta, "tokenizer.ggml.merges");
        if (merges == null) throw new IllegalArgumentException("no tokenizer.ggml.merges in the metadata of a BPE vocabulary");
        Map<BpeTokenizer.Pair, Integer> ranks = HashMap.newHashMap(merges.size());
        for (int i = 0; i < merges.size(); i++) {
            String m = String.valueOf(merges.get(i));
            // split at the first space after the first character, so that a merge of " " with itself parses
            int space = m.indexOf(' ', 1);
            BpeTokenizer.Pair pair = space < 0 ? new BpeTokenizer.Pair("", "")
                    : new BpeTokenizer.Pair(m.substring(0, space), m.substring(space + 1));
            ranks.putIfAbsent(pair, i);
        }
        return ranks;
    }

    private static SpecialTokens specials(Map<String, Object> meta, Vocabulary vocab, int bos, int eos, int unk, int sep,
                                          int pad, boolean addBos, boolean addEos, boolean addSep,
                                          boolean addSpacePrefix, boolean cleanSpaces) {
        return new SpecialTokens(
                id(meta, "tokenizer.ggml.bos_token_id", bos, vocab),
                id(meta, "tokenizer.ggml.eos_token_id", eos, vocab),
                id(meta, "tokenizer.ggml.unknown_token_id", unk, vocab),
                id(meta, "tokenizer.ggml.seperator_token_id", sep, vocab),
                id(meta, "tokenizer.ggml.padding_token_id", pad, vocab),
                bool(meta, "tokenizer.ggml.add_bos_token", addBos),
                bool(meta, "tokenizer.ggml.add_eos_token", addEos),
                bool(meta, "tokenizer.ggml.add_sep_token", addSep),
                bool(meta, "tokenizer.ggml.add_space_prefix", addSpacePrefix),
                cleanSpaces);
    }

    /** A special id: the default unless the key holds an id inside the vocabulary (llama.cpp ignores others). */
    private static int id(Map<String, Object> meta, String key, int fallback, Vocabulary vocab) {
        int id = vocab.contains(fallback) ? fallback : Vocabulary.NONE;
        Object v = meta.get(key);
        if (v instanceof Number num && !(v instanceof BigInteger)) {
            long l = num.longValue();
            if (l >= 0 && l < vocab.size()) id = (int) l;
        }
        return id;
    }

    private static String string(Map<String, Object> meta, String key) {
        return meta.get(key) instanceof String s ? s : null;
    }

    private static boolean bool(Map<String, Object> meta, String key, boolean fallback) {
        return meta.get(key) instanceof Boolean b ? b : fallback;
    }

    private static List<?> list(Map<String, Object> meta, String key) {
        Object v = meta.get(key);
        if (v instanceof GgufArray a) return a;
        return v instanceof List<?> l ? l : null;
    }
}
