package dev.quantscope.app.prune.curves;

import dev.quantscope.eval.sweep.Accuracy;

import java.util.function.ToDoubleFunction;

/** What the sparsity curves put on y. */
public enum CurveMetric {
    /** Mean KL divergence against the dense model per token, nats: 0 at the dense end. */
    KLD("mean KL divergence (nats, lower is better)", Accuracy::kldMean),
    /** Perplexity over the measured text, on a linear axis (the dense model's is the 0 % point). */
    PPL("perplexity (lower is better)", Accuracy::ppl);

    private final String axisLabel;
    private final ToDoubleFunction<Accuracy> value;

    CurveMetric(String axisLabel, ToDoubleFunction<Accuracy> value) {
        this.axisLabel = axisLabel;
        this.value = value;
    }

    public String axisLabel() { return axisLabel; }

    public double of(Accuracy a) { return value.applyAsDouble(a); }

    @Override
    public String toString() { return this == KLD ? "KL divergence" : "Perplexity"; }
}
