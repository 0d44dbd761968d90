package dev.quantscope.train.optim;

import java.util.List;

/** An optimizer bound to its parameters, holding its state (momenta) between steps. */
public sealed interface Optimizer permits SgdOptimizer, AdamOptimizer {

    /** Updates every parameter from its gradient at this learning rate; the gradients are left as they are. */
    void step(double learningRate);

    List<Parameter> parameters();

    /** The number of steps taken. */
    long steps();

    default void zeroGradients() {
        for (Parameter p : parameters()) p.zeroGradients();
    }
}
