package dev.quantscope.engine.tokenizer;

import java.util.List;

/**
 * llama.cpp's pre-tokenizer types for GGUF BPE vocabularies ({@code tokenizer.ggml.pre}): the regex chain that
 * cuts text into words, and the flags that come with the type. Only types whose regexes are plain ASCII are
 * listed; others are refused rather than tokenized wrongly.
 */
enum PreTokenizerType {
    DEFAULT(List.of("[\\p{P}\\$\\+<=>\\^~\\|]+", WordSplitter.GPT2_REGEX, "\\p{N}+", "[0-9][0-9][0-9]"),
            false, true, false, false),
    GPT2(List.of(WordSplitter.GPT2_REGEX), false, true, false, false),
    GPT2_NO_CLEAN(List.of(WordSplitter.GPT2_REGEX), false, false, false, false),
    LLAMA3(List.of(WordSplitter.LLAMA3_REGEX), true, true, true, false),
    LLAMA3_REGEX_ONLY(List.of(WordSplitter.LLAMA3_REGEX), false, true, false, false),
    CHATGLM4(List.of(WordSplitter.LLAMA3_REGEX), false, true, false, true),
    QWEN2(List.of("(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"),
            false, false, false, false),
    STARCODER(List.of("\\p{N}", WordSplitter.GPT2_REGEX), false, true, false, false),
    STARCODER_NO_CLEAN(List.of("\\p{N}", WordSplitter.GPT2_REGEX), false, false, false, false),
    FALCON(List.of("[\\p{P}\\$\\+<=>\\^~\\|`]+", WordSplitter.GPT2_REGEX, "[0-9][0-9][0-9]"), false, true, false, false);

    private final List<String> regexes;
    private final boolean ignoreMerges;
    private final boolean cleanSpaces;
    private final boolean addBos;
    private final boolean noBos;

    PreTokenizerType(List<String> regexes, boolean ignoreMerges, boolean cleanSpaces, boolean addBos, boolean noBos) {
        this.regexes = regexes;
        this.ignoreMerges = ignoreMerges;
        this.cleanSpaces = cleanSpaces;
        this.addBos = addBos;
        this.noBos = noBos;
    }

    static PreTokenizerType of(String pre) {
        return switch (pre) {
            case "default" -> DEFAULT;
            case "gpt-2", "phi-2", "jina-es", "jina-de", "gigachat", "jina-v2-es", "jina-v2-de", "a.x-4.0", "mellum",
                 "modern-bert", "jina-v1-en", "jina-v2-code", "roberta-bpe", "exaone4", "mpt", "olmo", "jais" -> GPT2;
            case "trillion", "granite-docling" -> GPT2_NO_CLEAN;
            case "llama3", "llama-v3", "llama-bpe", "falcon3", "falcon-h1", "pixtral", "midm-2.0", "lfm2",
                 "jina-v5-nano" -> LLAMA3;
            case "dbrx", "smaug-bpe" -> LLAMA3_REGEX_ONLY;
            case "glm4", "chatglm-bpe" -> CHATGLM4;
            case "qwen2", "deepseek-r1-qwen", "kormo", "f2llmv2" -> QWEN2;
            case "starcoder", "refact", "codeshell", "exaone", "minerva-7b", "mellum2" -> STARCODER;
            case "smollm", "command-r" -> STARCODER_NO_CLEAN;
            case "falcon" -> FALCON;
            default -> throw new UnsupportedOperationException("pre-tokenizer type '" + pre + "' is not supported");
        };
    }

    List<BpeTokenizer.WordSplitterSpec> splitters() {
        return regexes.stream().map(r -> new BpeTokenizer.WordSplitterSpec(r, true)).toList();
    }

    boolean ignoreMerges() { return ignoreMerges; }

    boolean cleanSpaces() { return cleanSpaces; }

    boolean addBos() { return addBos; }

    boolean noBos() { return noBos; }
}
