package dev.quantscope.engine.tokenizer;

/**
 * A token's kind, with the numeric codes of GGUF's {@code tokenizer.ggml.token_type} (llama.cpp's
 * {@code llama_token_type}). The kind decides how a token is matched in text and how it is rendered back.
 */
public enum TokenType {
    UNDEFINED(0), NORMAL(1), UNKNOWN(2), CONTROL(3), USER_DEFINED(4), UNUSED(5), BYTE(6);

    private final int code;

    TokenType(int code) { this.code = code; }

    public int code() { return code; }

    /** llama.cpp maps every code it does not know to UNDEFINED, and so do we. */
    public static TokenType ofCode(long code) {
        for (TokenType t : values()) if (t.code == code) return t;
        return UNDEFINED;
    }

    /** Control and unknown tokens are only rendered or parsed from text when the caller asks for specials. */
    public boolean isSpecial() { return this == CONTROL || this == UNKNOWN; }
}
