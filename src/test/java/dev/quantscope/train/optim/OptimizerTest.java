package dev.quantscope.train.optim;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class OptimizerTest {

    @Test
    void sgdWithMomentumFollowsTheHeavyBallRecurrence() {
        Parameter p = new Parameter("w", new float[]{1f}, new float[]{0.5f}, true);
        Optimizer sgd = new OptimizerSettings.Sgd(0.9, 0.1).create(List.of(p));
        sgd.step(0.1);           // v = 0.5 + 0.1·1 = 0.6; w = 1 − 0.06
        assertEquals(0.94f, p.values()[0], 1e-6f);
        sgd.step(0.1);           // v = 0.9·0.6 + 0.5 + 0.094 = 1.134; w = 0.94 − 0.1134
        assertEquals(0.8266f, p.values()[0], 1e-6f);
        assertEquals(2, sgd.steps());
    }

    @Test
    void adamsFirstStepMovesEachWeightByTheLearningRateAgainstTheGradientsSign() {
        // Bias correction makes m̂/√v̂ = g/|g| on the first step, whatever the gradient's size.
        Parameter p = new Parameter("w", new float[]{1f, -2f, 3f}, new float[]{0.001f, -50f, 0f}, false);
        new OptimizerSettings.Adam(0.9, 0.999, 1e-8, 0.5).create(List.of(p)).step(0.01);
        assertEquals(0.99f, p.values()[0], 1e-5f);
        assertEquals(-1.99f, p.values()[1], 1e-5f);
        assertEquals(3f, p.values()[2], 0f);   // no gradient, and no decay for this parameter
    }

    @Test
    void adamWDecaysOnlyTheParametersThatDecay() {
        Parameter w = new Parameter("w", new float[]{2f}, new float[]{0f}, true);
        Parameter b = new Parameter("b", new float[]{2f}, new float[]{0f}, false);
        new OptimizerSettings.Adam(0.9, 0.999, 1e-8, 0.1).create(List.of(w, b)).step(0.5);
        assertEquals(2f * (1 - 0.05f), w.values()[0], 1e-6f);
        assertEquals(2f, b.values()[0], 0f);
    }

    @Test
    void adamConvergesOnAQuadratic() {
        float[] x = {5f, -3f};
        Parameter p = Parameter.of("x", x, false);
        Optimizer adam = OptimizerSettings.Adam.withWeightDecay(0).create(List.of(p));
        for (int i = 0; i < 2000; i++) {
            for (int j = 0; j < x.length; j++) p.gradients()[j] = 2 * (x[j] - j);   // minimum at (0, 1)
            adam.step(0.05);
        }
        assertEquals(0f, x[0], 1e-3f);
        assertEquals(1f, x[1], 1e-3f);
    }

    @Test
    void schedules() {
        var cosine = new LearningRateSchedule.Cosine(1.0, 0.1, 2);
        assertEquals(0.5, cosine.rate(0, 12), 1e-12);
        assertEquals(1.0, cosine.rate(1, 12), 1e-12);
        assertEquals(1.0, cosine.rate(2, 12), 1e-12);
        assertEquals(0.1 + 0.9 * 0.5 * (1 + Math.cos(Math.PI * 4 / 9)), cosine.rate(6, 12), 1e-12);
        assertEquals(0.1, cosine.rate(11, 12), 1e-12);
        var step = new LearningRateSchedule.Step(0.1, 0.5, 10);
        assertEquals(0.1, step.rate(9, 100), 1e-12);
        assertEquals(0.05, step.rate(10, 100), 1e-12);
        assertEquals(0.025, step.rate(25, 100), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> new LearningRateSchedule.Constant(0));
    }
}
