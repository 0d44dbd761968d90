package dev.quantscope.app.tradeoff;

/** Where the Trade-off page's importance matrix comes from, if it uses one. */
public enum ImatrixChoice {
    NONE("None"),
    FROM_TEXT("Compute from the evaluation text"),
    FILE("Load file…");

    private final String label;

    ImatrixChoice(String label) { this.label = label; }

    @Override
    public String toString() { return label; }
}
