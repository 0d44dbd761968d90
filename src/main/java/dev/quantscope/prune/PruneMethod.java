package dev.quantscope.prune;

import java.util.Arrays;
import java.util.stream.Collectors;

/** How the weights to remove are chosen. */
public enum PruneMethod {
    /** Smallest |W| first. */
    MAGNITUDE("magnitude", false),
    /** Smallest |W_ij|·‖X_j‖₂ within each output row (Sun et al., 2023): needs the inputs' norms. */
    WANDA("wanda", true),
    /** Optimal brain surgeon, row-wise, with the remaining weights updated (Frantar & Alistarh, 2023): needs XᵀX. */
    SPARSEGPT("sparsegpt", true);

    private final String id;
    private final boolean calibrated;

    PruneMethod(String id, boolean calibrated) {
        this.id = id;
        this.calibrated = calibrated;
    }

    /** As written in recipes and on the command line. */
    public String id() { return id; }

    /** Whether the method needs activations from a calibration text (or an importance matrix, for Wanda). */
    public boolean calibrated() { return calibrated; }

    public static PruneMethod parse(String id) {
        for (PruneMethod m : values()) if (m.id.equalsIgnoreCase(id.strip())) return m;
        throw new IllegalArgumentException("\"" + id + "\" is not a pruning method: use one of "
                + Arrays.stream(values()).map(PruneMethod::id).collect(Collectors.joining(", ")));
    }
}
