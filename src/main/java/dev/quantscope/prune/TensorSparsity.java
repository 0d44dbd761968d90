package dev.quantscope.prune;

/** How many of a pruned tensor's weights are zero now. */
public record TensorSparsity(String name, long zeros, long parameters) {

    public double fraction() { return parameters == 0 ? 0 : (double) zeros / parameters; }
}
