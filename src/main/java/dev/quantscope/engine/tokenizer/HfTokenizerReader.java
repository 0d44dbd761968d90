package dev.quantscope.engine.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads a Hugging Face tokenizer.json into one of our tokenizers: BPE with a byte-level pre-tokenizer (GPT-2,
 * Llama 3, Qwen), SentencePiece-style BPE with byte fallback (Llama 2, Mistral), and WordPiece (BERT). Flags
 * that tokenizer.json leaves out (add_bos_token, clean_up_tokenization_spaces) come from tokenizer_config.json.
 */
final class HfTokenizerReader {
    private HfTokenizerReader() {}

    private static final Pattern BYTE_TOKEN = Pattern.compile("<0x[0-9A-F]{2}>");
    private static final String GPT2_REGEX_HF = WordSplitter.GPT2_REGEX + "|\\s+";

    static Tokenizer read(Path file) throws IOException {
        ObjectMapper mapper = new ObjectMapper();
        JsonNode root = mapper.readTree(file.toFile());
        Path configFile = file.resolveSibling("tokenizer_config.json");
        JsonNode config = Files.isRegularFile(configFile) ? mapper.readTree(configFile.toFile()) : mapper.createObjectNode();
        JsonNode model = root.path("model");
        String type = model.path("type").asText(model.has("merges") ? "BPE" : "");
        return switch (type) {
            case "BPE" -> bpe(file, root, model, config);
            case "WordPiece" -> wordPiece(file, root, model, config);
            default -> throw new UnsupportedOperationException(file + ": tokenizer model '" + type + "' is not supported (BPE and WordPiece are)");
        };
    }

    private static Tokenizer bpe(Path file, JsonNode root, JsonNode model, JsonNode config) {
        boolean byteFallback = model.path("byte_fallback").asBoolean(false);
        Vocabulary vocab = vocabulary(file, model, root.path("added_tokens"), t -> t, byteFallback, model.path("unk_token").asText(null));
        Map<BpeTokenizer.Pair, Integer> ranks = new HashMap<>();
        int rank = 0;
        for (JsonNode m : model.path("merges")) {
            BpeTokenizer.Pair pair;
            if (m.isArray()) {
                pair = new BpeTokenizer.Pair(m.get(0).asText(), m.get(1).asText());
            } else {
                String s = m.asText();
                int space = s.indexOf(' ', 1);
                if (space < 0) throw new IllegalArgumentException(file + ": merge '" + s + "' has no space");
                pair = new BpeTokenizer.Pair(s.substring(0, space), s.substring(space + 1));
            }
            ranks.putIfAbsent(pair, rank++);
        }
        List<JsonNode> preTokenizers = flatten(root.path("pre_tokenizer"), "pretokenizers");
        List<JsonNode> normalizers = flatten(root.path("normalizer"), "normalizers");
        boolean byteLevel = false;
        boolean spaceMark = false;
        boolean prefixSpace = false;
        List<BpeTokenizer.WordSplitterSpec> splitters = new ArrayList<>();
        for (JsonNode n : normalizers) {
            switch (n.path("type").asText()) {
                case "Prepend" -> prefixSpace |= n.path("prepend").asText().equals(SpmTokenizer.SPACE_MARK);
                case "Replace" -> spaceMark |= n.path("pattern").path("String").asText().equals(" ")
                        && n.path("content").asText().equals(SpmTokenizer.SPACE_MARK);
                case "NFC", "NFKC", "NFD", "NFKD", "Lowercase", "Strip", "StripAccents" ->
                        throw new UnsupportedOperationException(file + ": normalizer " + n.path("type").asText() + " is not supported");
                default -> { }
            }
        }
        for (JsonNode p : preTokenizers) {
            switch (p.path("type").asText()) {
                case "ByteLevel" -> {
                    byteLevel = true;
                    if (p.path("use_regex").asBoolean(true)) splitters.add(new BpeTokenizer.WordSplitterSpec(WordSplitter.GPT2_REGEX, true));
                }
                case "Split" -> {
                    String regex = p.path("pattern").has("Regex") ? p.path("pattern").path("Regex").asText()
                            : Pattern.quote(p.path("pattern").path("String").asText());
                    boolean known = regex.equals(GPT2_REGEX_HF) || regex.equals(WordSplitter.GPT2_REGEX)
                            || regex.equals(WordSplitter.LLAMA3_REGEX_HF) || regex.equals(WordSplitter.LLAMA3_REGEX);
                    splitters.add(new BpeTokenizer.WordSplitterSpec(regex.equals(GPT2_REGEX_HF) ? WordSplitter.GPT2_REGEX : regex, known));
                }
                case "Metaspace" -> {
                    spaceMark = true;
                    String scheme = p.path("prepend_scheme").asText(p.path("add_prefix_space").asBoolean(true) ? "always" : "never");
                    prefixSpace |= !scheme.equals("never");
                    if (p.path("split").asBoolean(true)) {
                        // each piece starts at a "▁", which stays with the text after it
                        splitters.add(new BpeTokenizer.WordSplitterSpec("\u2581[^\u2581]*|[^\u2581]+", false));
                    }
                }
                default -> throw new UnsupportedOperationException(file + ": pre-tokenizer " + p.path("type").asText() + " is not supported");
            }
        }
        if (root.path("decoder").path("type").asText().equals("ByteLevel")) byteLevel = true;
        Template template = template(root.path("post_processor"));
        SpecialTokens sp = new SpecialTokens(
                special(config, "bos_token", vocab, template.first),
                special(config, "eos_token", vocab, template.last),
                special(config, "unk_token", vocab, model.path("unk_token").asText(null)),
                Vocabulary.NONE,
                special(config, "pad_token", vocab, null),
                config.path("add_bos_token").asBoolean(template.first != null),
                config.path("add_eos_token").asBoolean(template.last != null),
                false, prefixSpace,
                config.path("clean_up_tokenization_spaces").asBoolean(false));
        return new BpeTokenizer(vocab, sp, ranks, new BpeTokenizer.Options(splitters, byteLevel, spaceMark,
                model.path("ignore_merges").asBoolean(false), byteFallback));
    }

    /**
     * WordPiece into llama.cpp's phantom-space spelling, as llama.cpp's converter does: "##piece" becomes "piece"
     * and a word-initial "piece" becomes "▁piece"; bracketed specials stay as they are.
     */
    private static Tokenizer wordPiece(Path file, JsonNode root, JsonNode model, JsonNode config) {
        String prefix = model.path("continuing_subword_prefix").asText("##");
        Vocabulary vocab = vocabulary(file, model, root.path("added_tokens"), t -> {
            if (t.startsWith("[") && t.endsWith("]")) return t;
            if (t.startsWith(prefix)) return t.substring(prefix.length());
            return SpmTokenizer.SPACE_MARK + t;
        }, false, model.path("unk_token").asText("[UNK]"));
        JsonNode norm = null;
        for (JsonNode n : flatten(root.path("normalizer"), "normalizers")) if (n.path("type").asText().equals("BertNormalizer")) norm = n;
        boolean lowercase = norm == null || norm.path("lowercase").asBoolean(true);
        boolean strip = norm == null || norm.path("strip_accents").isNull() || norm.path("strip_accents").isMissingNode()
                ? lowercase : norm.path("strip_accents").asBoolean();
        int cls = vocab.id("[CLS]");
        int sep = vocab.id("[SEP]");
        SpecialTokens sp = new SpecialTokens(cls, Vocabulary.NONE, vocab.id(model.path("unk_token").asText("[UNK]")), sep,
                vocab.id("[PAD]"), true, false, true, false, config.path("clean_up_tokenization_spaces").asBoolean(true));
        return new WordPieceTokenizer(vocab, sp, lowercase, strip);
    }

    private static Vocabulary vocabulary(Path file, JsonNode model, JsonNode added, java.util.function.UnaryOperator<String> spell,
                                         boolean byteFallback, String unk) {
        Map<Integer, String> byId = new HashMap<>();
        Map<Integer, TokenType> types = new HashMap<>();
        int max = -1;
        for (Iterator<Map.Entry<String, JsonNode>> it = model.path("vocab").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            int id = e.getValue().asInt();
            byId.put(id, spell.apply(e.getKey()));
            TokenType t = byteFallback && BYTE_TOKEN.matcher(e.getKey()).matches() ? TokenType.BYTE
                    : e.getKey().equals(unk) ? TokenType.UNKNOWN : TokenType.NORMAL;
            types.put(id, t);
            max = Math.max(max, id);
        }
        for (JsonNode a : added) {
            int id = a.path("id").asInt();
            String content = a.path("content").asText();
            byId.put(id, content);
            types.put(id, content.equals(unk) ? TokenType.UNKNOWN
                    : a.path("special").asBoolean(false) ? TokenType.CONTROL : TokenType.USER_DEFINED);
            max = Math.max(max, id);
        }
        if (max < 0) throw new IllegalArgumentException(file + ": empty vocabulary");
        int n = Math.addExact(max, 1);
        String[] texts = new String[n];
        TokenType[] tt = new TokenType[n];
        for (int i = 0; i < n; i++) {
            texts[i] = byId.get(i);
            tt[i] = types.getOrDefault(i, TokenType.UNUSED);
        }
        return new Vocabulary(texts, null, tt);
    }

    /** The special tokens a TemplateProcessing post-processor puts around a single sequence. */
    private record Template(String first, String last) {}

    private static Template template(JsonNode post) {
        List<JsonNode> processors = flatten(post, "processors");
        for (JsonNode p : processors) {
            if (!p.path("type").asText().equals("TemplateProcessing")) continue;
            JsonNode single = p.path("single");
            if (!single.isArray() || single.isEmpty()) continue;
            String first = single.get(0).has("SpecialToken") ? single.get(0).path("SpecialToken").path("id").asText() : null;
            JsonNode lastNode = single.get(single.size() - 1);
            String last = single.size() > 1 && lastNode.has("SpecialToken") ? lastNode.path("SpecialToken").path("id").asText() : null;
            return new Template(first, last);
        }
        return new Template(null, null);
    }

    /** A special token's id from tokenizer_config.json (a string or {"content": …}), else from the fallback text. */
    private static int special(JsonNode config, String key, Vocabulary vocab, String fallback) {
        JsonNode v = config.path(key);
        String text = v.isTextual() ? v.asText() : v.has("content") ? v.path("content").asText() : fallback;
        return text == null ? Vocabulary.NONE : vocab.id(text);
    }

    /** A Sequence node's children, or the node itself. */
    private static List<JsonNode> flatten(JsonNode node, String childrenKey) {
        List<JsonNode> out = new ArrayList<>();
        if (node == null || node.isNull() || node.isMissingNode()) return out;
        if (node.path("type").asText().equals("Sequence")) {
            for (JsonNode child : node.path(childrenKey)) out.addAll(flatten(child, childrenKey));
        } else {
            out.add(node);
        }
        return out;
    }
}
