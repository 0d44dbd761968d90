package dev.quantscope.train.optim;

import java.util.List;

/** {@link OptimizerSettings.Sgd} bound to its parameters; one velocity array per parameter. */
public final class SgdOptimizer implements Optimizer {
    private final OptimizerSettings.Sgd settings;
    private final List<Parameter> parameters;
    private final float[][] velocity;
    private long steps;

    SgdOptimizer(OptimizerSettings.Sgd settings, List<Parameter> parameters) {
        this.settings = settings;
        this.parameters = List.copyOf(parameters);
        this.velocity = new float[this.parameters.size()][];
        for (int i = 0; i < velocity.length; i++) velocity[i] = new float[this.parameters.get(i).size()];
    }

    @Override
    public void step(double learningRate) {
        float lr = (float) learningRate, mu = (float) settings.momentum();
        for (int i = 0; i < velocity.length; i++) {
            Parameter p = parameters.get(i);
            float decay = p.decays() ? (float) settings.weightDecay() : 0f;
            float[] w = p.values(), g = p.gradients(), v = velocity[i];
            for (int j = 0; j < w.length; j++) {
                float grad = g[j] + decay * w[j];
                // PyTorch starts the buffer at the first gradient (no dampening), which mu·0 + grad gives too.
                v[j] = mu * v[j] + grad;
                w[j] -= lr * v[j];
            }
        }
        steps++;
    }

    @Override
    public List<Parameter> parameters() {
        return parameters;
    }

    @Override
    public long steps() {
        return steps;
    }
}
