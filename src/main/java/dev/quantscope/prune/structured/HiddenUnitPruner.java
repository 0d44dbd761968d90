package dev.quantscope.prune.structured;

import dev.quantscope.format.Model;
import dev.quantscope.format.ModelFormat;
import dev.quantscope.format.safetensors.SafetensorsDType;
import dev.quantscope.format.safetensors.SafetensorsWriter;
import dev.quantscope.format.safetensors.SafetensorsWriterLayout;
import dev.quantscope.format.safetensors.SafetensorsWriterSource;
import dev.quantscope.format.safetensors.SafetensorsWriterTensor;
import dev.quantscope.task.ProgressMonitor;
import dev.quantscope.tensor.Shape;
import dev.quantscope.tensor.TensorInfo;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Takes hidden units out of a two-layer classifier (a PyTorch checkpoint, safetensors file, …): the unit's row of the
 * hidden weight and its bias, and its column of the output weight. A unit scores ‖W2[:, j]‖₂ · ‖h_j‖₂, h_j being its
 * ReLU output over calibration inputs, or, from the weights alone, ‖W2[:, j]‖₂ · ‖(W1[j, :], b1[j])‖₂, which bounds
 * it for an input of unit norm. The result is an in-memory model in the source's dtypes, written as safetensors.
 */
public final class HiddenUnitPruner {
    private HiddenUnitPruner() {}

    /** Weight-only scores. */
    public static Model prune(Model source, MlpLayers layers, double ratio) {
        return prune(source, layers, ratio, List.of());
    }

    /**
     * @param calibration inputs the classifier is run on to measure each unit's output; empty for weight-only scores
     * @throws IllegalArgumentException with one sentence, for a ratio outside (0, 1) or one that leaves no unit
     */
    public static Model prune(Model source, MlpLayers layers, double ratio, List<float[]> calibration) {
        TwoLayerClassifier mlp = TwoLayerClassifier.of(source, layers);
        int kept = Ratios.kept(mlp.hidden(), ratio, "hidden units");
        TensorInfo w2 = TwoLayerClassifier.tensor(source, layers.outputWeight());
        TensorInfo b1 = TwoLayerClassifier.tensor(source, layers.hiddenBias());
        WeightSlices.requireColumnCuttable(w2, " to remove hidden units");
        WeightSlices.requireColumnCuttable(b1, " to remove hidden units");
        int[] units = TopScores.keep(scores(mlp, calibration), kept);

        Arena arena = Arena.ofShared();
        try {
            List<TensorInfo> tensors = new ArrayList<>();
            for (TensorInfo t : source.tensors()) {
                String name = t.name();
                if (name.equals(layers.hiddenWeight())) tensors.add(withRows(t, units, arena));
                else if (name.equals(layers.hiddenBias()) || name.equals(layers.outputWeight())) tensors.add(withColumns(t, units, arena));
                else tensors.add(new TensorInfo(name, t.shape(), t.dtype(), t.byteSize(), WeightSlices.copy(t, arena)));
            }
            return new Model(source.source(), ModelFormat.SAFETENSORS, tensors, Map.of(), arena, null);
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    /**
     * Writes a pruned classifier to {@code target} as one safetensors file through {@link SafetensorsWriter}
     * (a temporary file, verified, renamed); the pruned model's source file is never overwritten.
     */
    public static SafetensorsWriterLayout write(Model pruned, Path target, ProgressMonitor monitor) throws IOException {
        List<SafetensorsWriterTensor> out = new ArrayList<>();
        for (TensorInfo t : pruned.tensors()) {
            SafetensorsDType dtype = SafetensorsDType.of(t.dtype()).orElseThrow(() -> new IllegalArgumentException(
                    t.name() + " is " + t.dtype() + ", which safetensors cannot hold."));
            out.add(new SafetensorsWriterTensor(t.name(), dtype, rowMajor(t.shape()), SafetensorsWriterSource.of(t.data())));
        }
        return SafetensorsWriter.write(out, Map.of("format", "pt"), target, List.of(pruned.source()), monitor);
    }

    private static double[] scores(TwoLayerClassifier mlp, List<float[]> calibration) {
        int hidden = mlp.hidden(), classes = mlp.classes(), inputs = mlp.inputs();
        double[] outputColumn = new double[hidden];
        for (int c = 0; c < classes; c++) {
            for (int j = 0; j < hidden; j++) outputColumn[j] += (double) mlp.w2()[c * hidden + j] * mlp.w2()[c * hidden + j];
        }
        double[] activity = new double[hidden];
        if (calibration.isEmpty()) {
            for (int j = 0; j < hidden; j++) {
                double s = (double) mlp.b1()[j] * mlp.b1()[j];
                for (int i = 0; i < inputs; i++) s += (double) mlp.w1()[j * inputs + i] * mlp.w1()[j * inputs + i];
                activity[j] = s;
            }
        } else {
            for (float[] x : calibration) {
                float[] h = mlp.hiddenActivations(x);
                for (int j = 0; j < hidden; j++) activity[j] += (double) h[j] * h[j];
            }
        }
        double[] scores = new double[hidden];
        for (int j = 0; j < hidden; j++) scores[j] = Math.sqrt(outputColumn[j] * activity[j]);
        return scores;
    }

    private static TensorInfo withRows(TensorInfo t, int[] rows, Arena arena) {
        MemorySegment data = WeightSlices.rows(t, rows, arena);
        long[] dims = t.shape().dims();
        dims[rowDim(t.shape())] = rows.length;
        return new TensorInfo(t.name(), new Shape(dims, t.shape().order()), t.dtype(), data.byteSize(), data);
    }

    private static TensorInfo withColumns(TensorInfo t, int[] columns, Arena arena) {
        MemorySegment data = WeightSlices.columns(t, columns, arena);
        long[] dims = t.shape().dims();
        dims[columnDim(t.shape())] = columns.length;
        return new TensorInfo(t.name(), new Shape(dims, t.shape().order()), t.dtype(), data.byteSize(), data);
    }

    /** Where the row length lies in the shape's own order. */
    private static int columnDim(Shape s) { return s.order() == Shape.Order.FASTEST_FIRST ? 0 : s.rank() - 1; }

    /** Where the row count of a 2-D weight lies in the shape's own order. */
    private static int rowDim(Shape s) { return s.order() == Shape.Order.FASTEST_FIRST ? 1 : s.rank() - 2; }

    private static long[] rowMajor(Shape s) {
        long[] d = s.dims();
        if (s.order() == Shape.Order.SLOWEST_FIRST) return d;
        long[] r = new long[d.length];
        for (int i = 0; i < d.length; i++) r[i] = d[d.length - 1 - i];
        return r;
    }
}
