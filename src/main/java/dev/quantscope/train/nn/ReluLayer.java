package dev.quantscope.train.nn;

import dev.quantscope.engine.classifier.InputShape;
import dev.quantscope.engine.classifier.LayerKernels;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** ReLU: {@code dx = dy} where {@code x > 0}, else 0 (PyTorch's choice at 0). */
public final class ReluLayer implements TrainLayer {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

    private final InputShape shape;

    public ReluLayer(InputShape shape) {
        this.shape = shape;
    }

    @Override
    public InputShape input() {
        return shape;
    }

    @Override
    public InputShape output() {
        return shape;
    }

    @Override
    public void forward(float[] x, float[] y, int batch, boolean training, Context context) {
        if (context.vector()) LayerKernels.relu(x, y, batch * shape.features());
        else LayerKernels.reluScalar(x, y, batch * shape.features());
    }

    @Override
    public void backward(float[] x, float[] y, float[] dy, float[] dx, int batch, Context context) {
        if (dx == null) return;
        int n = batch * shape.features();
        if (!context.vector()) {
            for (int i = 0; i < n; i++) dx[i] = x[i] > 0 ? dy[i] : 0f;
            return;
        }
        int i = 0;
        FloatVector zero = FloatVector.zero(F);
        for (int bound = F.loopBound(n); i < bound; i += F.length()) {
            FloatVector g = FloatVector.fromArray(F, dy, i);
            zero.blend(g, FloatVector.fromArray(F, x, i).compare(VectorOperators.GT, 0f)).intoArray(dx, i);
        }
        for (; i < n; i++) dx[i] = x[i] > 0 ? dy[i] : 0f;
    }
}
