package dev.quantscope.engine.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Byte-pair encoding by merge rank, as llama.cpp's llm_tokenizer_bpe (GGUF {@code tokenizer.ggml.model = "gpt2"})
 * and Hugging Face's BPE model: the text is cut into words by the pre-tokenizer, each word (GPT-2 style: its UTF-8
 * bytes mapped to visible characters) is split into characters, and adjacent pairs are merged lowest rank first
 * with a priority queue until no listed merge applies.
 */
public final class BpeTokenizer implements Tokenizer {
    /** A merge rule's two sides. */
    public record Pair(String left, String right) {}

    /**
     * How text becomes symbols and symbols become ids, beyond the merges.
     *
     * @param splitters     pre-tokenizer stages, applied in order; empty to treat each text fragment as one word
     * @param byteEncode    GPT-2 byte-level: map each word's UTF-8 bytes to characters before merging
     * @param spaceMark     SentencePiece-style BPE: write spaces as "▁" (and render "▁" back as a space)
     * @param ignoreMerges  take a whole word that is itself a token without merging (Llama 3)
     * @param byteFallback  an unmatched character becomes {@code <0xXX>} tokens rather than being dropped
     */
    public record Options(List<WordSplitterSpec> splitters, boolean byteEncode, boolean spaceMark,
                          boolean ignoreMerges, boolean byteFallback) {}

    /** A pre-tokenizer stage named by its regex: llama.cpp's regexes, or a tokenizer.json Split pattern. */
    public record WordSplitterSpec(String regex, boolean llamaCppRegex) {
        WordSplitter create() {
            return llamaCppRegex ? WordSplitter.forLlamaRegex(regex) : WordSplitter.UnicodeRegex.of(regex);
        }
    }

    private final Vocabulary vocab;
    private final SpecialTokens specials;
    private final Map<Pair, Integer> ranks;
    private final Options options;
    private final List<WordSplitter> splitters;
    /**
     * Ids per pre-tokenized word: a word always merges the same way, and running text repeats its words, so this
     * saves most of the merging (Hugging Face's tokenizers cache the same way). Bounded; cleared when full.
     */
    private final Map<String, int[]> wordCache = new java.util.concurrent.ConcurrentHashMap<>();
    private static final int WORD_CACHE_LIMIT = 65_536;

    public BpeTokenizer(Vocabulary vocab, SpecialTokens specials, Map<Pair, Integer> ranks, Options options) {
        this.vocab = vocab;
        this.specials = specials;
        this.ranks = Map.copyOf(ranks);
        this.options = options;
        this.splitters = options.splitters().stream().map(WordSplitterSpec::create).toList();
    }

    @Override public Vocabulary vocabulary() { return vocab; }

    @Override public SpecialTokens specials() { return specials; }

    public Options options() { return options; }

    public int mergeCount() { return ranks.size(); }

    @Override
    public int[] encode(String text, boolean addSpecial, boolean parseSpecial) {
        IntList out = new IntList(text.length() / 3 + 4);
        if (addSpecial && specials.addBos()) out.add(require(specials.bos(), "BOS"));
        boolean prevSpecial = true;
        for (Fragment fragment : Fragment.partition(text, vocab, parseSpecial)) {
            switch (fragment) {
                case Fragment.Text(String raw) -> {
                    String t = raw;
                    if (options.spaceMark()) {
                        // SentencePiece-style BPE (tokenizer.json's Prepend("▁") + Replace(" ", "▁"))
                        if (specials.addSpacePrefix() && prevSpecial) t = " " + t;
                        t = t.replace(" ", SpmTokenizer.SPACE_MARK);
                    }
                    tokenize(t, out);
                    prevSpecial = false;
                }
                case Fragment.Token(int id) -> {
                    out.add(id);
                    prevSpecial = true;
                }
            }
        }
        if (addSpecial && specials.addEos()) out.add(require(specials.eos(), "EOS"));
        return out.toArray();
    }

    private static int require(int id, String what) {
        if (id == Vocabulary.NONE) throw new IllegalStateException("the vocabulary asks for " + what + " but has none");
        return id;
    }

    private void tokenize(String text, IntList out) {
        int[] cps = text.codePoints().toArray();
        IntList chunks = new IntList(1);
        chunks.add(cps.length);
        for (WordSplitter s : splitters) chunks = s.split(cps, chunks);
        for (int c = 0, start = 0; c < chunks.size(); c++) {
            String word = new String(cps, start, chunks.get(c));
            start += chunks.get(c);
            String symbols = options.byteEncode() ? ByteLevel.encode(word) : word;
            int[] ids = wordCache.get(symbols);
            if (ids == null) {
                IntList wordIds = new IntList(symbols.length());
                tokenizeWord(symbols, wordIds);
                ids = wordIds.toArray();
                if (wordCache.size() >= WORD_CACHE_LIMIT) wordCache.clear();
                wordCache.put(symbols, ids);
            }
            for (int id : ids) out.add(id);
        }
    }

    private void tokenizeWord(String word, IntList out) {
        if (options.ignoreMerges()) {
            int id = vocab.id(word);
            if (id != Vocabulary.NONE) {
                out.add(id);
                return;
            }
        }
        // lowest merge rank first; ties go to the leftmost pair
        SymbolMerger.merge(word, (w, start, mid, end) -> {
            Integer rank = ranks.get(new Pair(w.substring(start, mid), w.substring(mid, end)));
            return rank == null ? Double.NaN : rank;
        }, (start, end) -> {
            String symbol = word.substring(start, end);
            int id = vocab.id(symbol);
            if (id != Vocabulary.NONE) {
                out.add(id);
            } else {
                unmatched(symbol, out);
            }
        });
    }

    /** A symbol no token matches: always a single character, since merges only form tokens. */
    private void unmatched(String symbol, IntList out) {
        byte[] utf8 = symbol.getBytes(StandardCharsets.UTF_8);
        if (options.byteEncode()) {
            // llama.cpp looks each byte up as a one-byte string; only ASCII bytes can be one
            for (byte b : utf8) {
                int id = b >= 0 ? vocab.id(String.valueOf((char) b)) : Vocabulary.NONE;
                if (id != Vocabulary.NONE) out.add(id);
            }
            return;
        }
        if (options.byteFallback()) {
            int mark = out.size();
            boolean all = true;
            IntList bytes = new IntList(utf8.length);
            for (byte b : utf8) {
                int id = vocab.id(String.format("<0x%02X>", b & 0xFF));
                if (id == Vocabulary.NONE) all = false;
                bytes.add(id);
            }
            if (all) {
                for (int i = 0; i < bytes.size(); i++) out.add(bytes.get(i));
                return;
            }
            assert out.size() == mark;
        }
        if (specials.unk() != Vocabulary.NONE) out.add(specials.unk());
    }

    @Override
    public byte[] pieceBytes(int token, boolean special) {
        TokenType type = vocab.type(token);
        if (!special && type.isSpecial()) return new byte[0];
        String text = vocab.text(token);
        return switch (type) {
            case CONTROL, UNKNOWN, USER_DEFINED -> text.getBytes(StandardCharsets.UTF_8);
            case NORMAL -> {
                if (options.byteEncode()) {
                    ByteArrayOutputStream out = new ByteArrayOutputStream(text.length());
                    ByteLevel.decode(text, out);
                    yield out.toByteArray();
                }
                yield (options.spaceMark() ? text.replace(SpmTokenizer.SPACE_MARK, " ") : text).getBytes(StandardCharsets.UTF_8);
            }
            case BYTE -> new byte[] {SpmTokenizer.byteOf(text)};
            case UNUSED, UNDEFINED -> new byte[0];
        };
    }
}
