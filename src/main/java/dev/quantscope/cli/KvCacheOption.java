package dev.quantscope.cli;

import dev.quantscope.engine.llama.KvCacheType;
import picocli.CommandLine.Option;

/** {@code --kv-cache f16|f32}: the KV cache type of every model a command runs. */
public final class KvCacheOption {

    @Option(names = "--kv-cache", paramLabel = "f16|f32", defaultValue = "f32",
            description = "KV cache type (default: ${DEFAULT-VALUE}); f16 halves the cache and rounds keys and values "
                    + "as llama.cpp's default cache does.")
    String kvCache;

    /** The parsed type; an unknown name is refused in one sentence by {@link KvCacheType#parse}. */
    KvCacheType type() {
        return KvCacheType.parse(kvCache);
    }
}
