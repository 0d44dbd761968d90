package dev.quantscope.cli;

import dev.quantscope.prune.PruneMethod;
import picocli.CommandLine.Option;

/** {@code --method magnitude|wanda|sparsegpt}: how the pruning commands choose the weights to zero. */
public final class PruneMethodOption {

    @Option(names = "--method", paramLabel = "magnitude|wanda|sparsegpt", defaultValue = "magnitude",
            description = "How the weights to zero are chosen (default: ${DEFAULT-VALUE}). Wanda needs --text or "
                    + "--imatrix, SparseGPT --text.")
    String method;

    /** The method, or one line naming the known ones. */
    PruneMethod method() {
        return PruneMethod.parse(method);
    }

    /** Whether the user left the default. */
    boolean isDefault() {
        return PruneMethod.parse(method) == PruneMethod.MAGNITUDE;
    }
}
