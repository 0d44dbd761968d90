package dev.quantscope.eval.classifier;

import dev.quantscope.engine.classifier.Architecture;
import dev.quantscope.engine.classifier.InputShape;
import dev.quantscope.engine.classifier.Layer;
import dev.quantscope.engine.classifier.LayerSpec;

import java.util.ArrayList;
import java.util.List;

/**
 * A Dense or Conv layer's weight seen as a matrix, one row per output unit or channel: a Dense row is its inputs, a
 * Conv row its {@code in × k × k} kernel, contiguous in PyTorch's layout. Quantization groups and pruning patterns
 * run along these rows, as they do along a Llama matrix's rows.
 *
 * @param layerIndex the layer's position in the architecture
 * @param output     whether this is the classifier's output layer (kept dense by pruning, as a Llama's head is)
 */
record WeightMatrix(int layerIndex, String tensor, int rows, int cols, boolean output) {

    static List<WeightMatrix> of(Architecture architecture) {
        List<WeightMatrix> matrices = new ArrayList<>();
        List<InputShape> shapes = architecture.shapes();
        List<Layer> layers = architecture.layers();
        for (int i = 0; i < layers.size(); i++) {
            Layer layer = layers.get(i);
            InputShape in = shapes.get(i);
            boolean output = i == layers.size() - 1;
            switch (layer.spec()) {
                case LayerSpec.Dense d -> matrices.add(new WeightMatrix(i, layer.name() + ".weight", d.units(), in.features(), output));
                case LayerSpec.Conv c -> matrices.add(new WeightMatrix(i, layer.name() + ".weight", c.channels(),
                        Math.multiplyExact(in.channels(), c.kernel() * c.kernel()), output));
                default -> { }
            }
        }
        return List.copyOf(matrices);
    }

    long elements() {
        return (long) rows * cols;
    }
}
