package dev.quantscope.train.optim;

import java.util.List;

/** How to update weights from their gradients; {@link #create} binds the settings to the parameters it will update. */
public sealed interface OptimizerSettings {

    /**
     * SGD with (heavy-ball) momentum, PyTorch's {@code torch.optim.SGD}: v = μ·v + (g + λ·w), w -= lr·v, with weight
     * decay λ added to the gradient (L2) for parameters that decay.
     */
    record Sgd(double momentum, double weightDecay) implements OptimizerSettings {
        public Sgd {
            if (momentum < 0 || momentum >= 1) throw new IllegalArgumentException("momentum " + momentum + " is not in [0, 1).");
            if (weightDecay < 0) throw new IllegalArgumentException("weight decay " + weightDecay + " is negative.");
        }
    }

    /**
     * Adam with decoupled weight decay, PyTorch's {@code torch.optim.AdamW} (Loshchilov and Hutter, 2019): w -= lr·λ·w,
     * then the bias-corrected Adam step. With λ = 0 this is plain Adam.
     */
    record Adam(double beta1, double beta2, double epsilon, double weightDecay) implements OptimizerSettings {
        public Adam {
            if (beta1 < 0 || beta1 >= 1 || beta2 < 0 || beta2 >= 1) {
                throw new IllegalArgumentException("Adam's betas " + beta1 + ", " + beta2 + " are not in [0, 1).");
            }
            if (epsilon <= 0) throw new IllegalArgumentException("Adam's epsilon " + epsilon + " is not positive.");
            if (weightDecay < 0) throw new IllegalArgumentException("weight decay " + weightDecay + " is negative.");
        }

        /** PyTorch's defaults: β = (0.9, 0.999), ε = 1e-8. */
        public static Adam withWeightDecay(double weightDecay) {
            return new Adam(0.9, 0.999, 1e-8, weightDecay);
        }
    }

    default Optimizer create(List<Parameter> parameters) {
        return switch (this) {
            case Sgd sgd -> new SgdOptimizer(sgd, parameters);
            case Adam adam -> new AdamOptimizer(adam, parameters);
        };
    }
}
