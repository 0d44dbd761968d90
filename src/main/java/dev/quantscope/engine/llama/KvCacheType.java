package dev.quantscope.engine.llama;

import java.util.Locale;

/**
 * What the KV cache stores keys and values as. llama.cpp's default is F16: every key and value is rounded to
 * half precision when it is stored, and ggml's F16 dot product rounds the query as well before K·q, which is part
 * of the numbers llama-perplexity reports; F32 keeps all of them exact.
 */
public enum KvCacheType {
    /** Floats as computed (QuantScope's default). */
    F32,
    /**
     * Keys and values rounded to IEEE half precision and stored in 16 bits (half the memory), queries rounded
     * to half precision for K·q: llama.cpp's default cache.
     */
    F16;

    /** "f16"/"F16" or "f32"/"F32", as the command line takes it. */
    public static KvCacheType parse(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "f32" -> F32;
            case "f16" -> F16;
            default -> throw new IllegalArgumentException("KV cache type " + name + " is not f32 or f16");
        };
    }
}
