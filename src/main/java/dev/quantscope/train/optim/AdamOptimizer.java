package dev.quantscope.train.optim;

import java.util.List;

/** {@link OptimizerSettings.Adam} bound to its parameters; first and second moments per parameter. */
public final class AdamOptimizer implements Optimizer {
    private final OptimizerSettings.Adam settings;
    private final List<Parameter> parameters;
    private final float[][] first, second;
    private long steps;

    AdamOptimizer(OptimizerSettings.Adam settings, List<Parameter> parameters) {
        this.settings = settings;
        this.parameters = List.copyOf(parameters);
        this.first = new float[this.parameters.size()][];
        this.second = new float[this.parameters.size()][];
        for (int i = 0; i < first.length; i++) {
            first[i] = new float[this.parameters.get(i).size()];
            second[i] = new float[this.parameters.get(i).size()];
        }
    }

    @Override
    public void step(double learningRate) {
        steps++;
        float b1 = (float) settings.beta1(), b2 = (float) settings.beta2(), eps = (float) settings.epsilon();
        // Bias corrections folded into the step size and the denominator, as torch.optim.AdamW does.
        double correction1 = 1 - Math.pow(settings.beta1(), steps), correction2 = 1 - Math.pow(settings.beta2(), steps);
        float stepSize = (float) (learningRate / correction1);
        float rootCorrection2 = (float) Math.sqrt(correction2);
        for (int i = 0; i < first.length; i++) {
            Parameter p = parameters.get(i);
            float shrink = p.decays() ? (float) (1 - learningRate * settings.weightDecay()) : 1f;
            float[] w = p.values(), g = p.gradients(), m = first[i], v = second[i];
            for (int j = 0; j < w.length; j++) {
                float grad = g[j];
                m[j] = b1 * m[j] + (1 - b1) * grad;
                v[j] = b2 * v[j] + (1 - b2) * grad * grad;
                float denominator = (float) Math.sqrt(v[j]) / rootCorrection2 + eps;
                w[j] = w[j] * shrink - stepSize * m[j] / denominator;
            }
        }
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
