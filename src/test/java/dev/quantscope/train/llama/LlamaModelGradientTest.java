package dev.quantscope.train.llama;

import dev.quantscope.engine.llama.LlamaConfig;
import dev.quantscope.engine.llama.RopeScaling;
import dev.quantscope.engine.llama.RopeStyle;
import dev.quantscope.engine.llama.WeightLayout;
import dev.quantscope.train.optim.Parameter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.Random;

import static dev.quantscope.train.llama.GradientCheck.check;
import static dev.quantscope.train.llama.GradientCheck.random;

/**
 * The whole model's backward pass (every parameter tensor) against finite differences of the distillation loss,
 * on a tiny random config: grouped KV heads, tied and separate heads, with and without q/k/v biases, both RoPE
 * styles, both matmul kernels.
 */
class LlamaModelGradientTest {

    @ParameterizedTest
    @CsvSource({"true, false, ADJACENT_PAIRS, scalar", "false, true, HALF_SPLIT, vector", "true, true, ADJACENT_PAIRS, vector"})
    void everyParameter(boolean tied, boolean bias, RopeStyle style, String kernelName) {
        LlamaConfig c = new LlamaConfig(bias ? "qwen2" : "llama", WeightLayout.GGUF, 8, 2, 4, 2, 4, 12, 16, 64, 4,
                10000, new RopeScaling.None(), List.of(), style, 1e-5f, bias);
        LlamaParameters params = LlamaParameters.random(c, tied, 3, 0.6f);
        MatmulKernel kernel = kernelName.equals("scalar") ? new ScalarMatmul() : new VectorMatmul();
        int n = 6;
        int[] tokens = {1, 5, 9, 5, 15, 0};
        Random rnd = new Random(11);
        float[] teacher = random(rnd, n * c.vocab(), 2f);
        try (TrainingPass pass = new TrainingPass(params, 8, kernel, 2)) {
            float[] dLogits = new float[n * c.vocab()];
            float[] logits = pass.forward(tokens, n);
            for (int t = 0; t < n; t++) {
                SoftmaxKl.lossAndGradient(logits, teacher, t * c.vocab(), c.vocab(), 1.5f, tokens[(t + 1) % n], 0.3f,
                        1f / n, dLogits);
            }
            pass.backward(dLogits);
            float[] scratch = new float[n * c.vocab()];
            java.util.function.DoubleSupplier loss = () -> {
                float[] l = pass.forward(tokens, n);
                double sum = 0;
                for (int t = 0; t < n; t++) {
                    sum += SoftmaxKl.lossAndGradient(l, teacher, t * c.vocab(), c.vocab(), 1.5f, tokens[(t + 1) % n],
                            0.3f, 1f / n, scratch);
                }
                return sum / n;
            };
            long seed = 0;
            for (Parameter p : params.all()) check(p.name(), p.values(), p.gradients(), loss, 6, seed++);
        }
    }
}
