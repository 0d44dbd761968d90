package dev.quantscope.eval.prune;

/** What a sensitivity scan prunes at a time. */
public enum SensitivityUnit {
    /** One weight matrix. */
    TENSOR("tensor"),
    /** Every prunable matrix of one transformer block (tensors outside blocks stay one unit each). */
    BLOCK("block");

    private final String id;

    SensitivityUnit(String id) { this.id = id; }

    /** As written on the command line. */
    public String id() { return id; }

    public static SensitivityUnit parse(String text) {
        for (SensitivityUnit u : values()) if (u.id.equalsIgnoreCase(text.strip())) return u;
        throw new IllegalArgumentException("\"" + text + "\" is not a sensitivity unit: use tensor or block");
    }
}
