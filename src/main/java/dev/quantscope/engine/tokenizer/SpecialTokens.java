package dev.quantscope.engine.tokenizer;

/**
 * The special ids and the flags that say when to add them, as llama.cpp resolves them from defaults per
 * tokenizer kind and GGUF keys. Any id may be {@link Vocabulary#NONE}.
 *
 * @param addSpacePrefix SentencePiece's "add dummy prefix": a space before the text (and after every special token)
 * @param cleanSpaces    Hugging Face's clean_up_tokenization_spaces, applied by llama.cpp's detokenizer
 */
public record SpecialTokens(int bos, int eos, int unk, int sep, int pad,
                            boolean addBos, boolean addEos, boolean addSep,
                            boolean addSpacePrefix, boolean cleanSpaces) {
}
