package dev.quantscope.engine.classifier;

/**
 * A layer of an architecture with its name: its parameters are the tensors {@code name + ".weight"},
 * {@code name + ".bias"} (and {@code .running_mean}, {@code .running_var} for batch norm), as in a PyTorch state_dict.
 */
public record Layer(String name, LayerSpec spec) {}
