package dev.quantscope.cli;

import dev.quantscope.eval.prune.SparsitySweep;
import dev.quantscope.prune.PruneMethod;
import dev.quantscope.prune.SparsityPattern;
import picocli.CommandLine.Option;

import java.util.List;

/**
 * {@code --types LIST --sparsities LIST --methods LIST}: the compressions a command measures side by side, for a Llama
 * ({@code sweep}) and for a classifier ({@code accuracy}): each scheme, and each sparsity pruned by each method.
 */
public final class CompressionGridOptions {

    @Option(names = "--types", split = ",", paramLabel = "LIST",
            description = "Comma-separated scheme ids (int4-asym-g128-mse, ggml:Q8_0, nf4-b64, keep) and, for a Llama, "
                    + "llama-quantize presets (Q4_K_M).")
    List<String> types = List.of();

    @Option(names = "--sparsities", split = ",", paramLabel = "LIST", description = "Comma-separated sparsities to "
            + "prune to (0.5, 50%%, 2:4), each with every --methods (for a Llama also then quantized with every --types).")
    List<String> sparsities = List.of();

    @Option(names = "--methods", split = ",", paramLabel = "LIST", defaultValue = "magnitude",
            description = "Pruning methods for --sparsities (and sweep's --sensitivity): magnitude, wanda, sparsegpt "
                    + "(default: ${DEFAULT-VALUE}).")
    List<String> methods;

    List<String> types() {
        return types.stream().filter(s -> !s.isBlank()).toList();
    }

    List<SparsityPattern> patterns() {
        return SparsitySweep.parsePatterns(sparsities);
    }

    List<PruneMethod> methods() {
        return SparsitySweep.parseMethods(methods);
    }

    boolean isEmpty() {
        return types().isEmpty() && patterns().isEmpty();
    }
}
