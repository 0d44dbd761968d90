package dev.quantscope.eval.classifier;

import dev.quantscope.engine.classifier.Accuracy;
import dev.quantscope.engine.classifier.Architecture;
import dev.quantscope.engine.classifier.Classifier;
import dev.quantscope.engine.classifier.InputScaling;
import dev.quantscope.engine.classifier.InputShape;
import dev.quantscope.engine.classifier.LabeledImages;
import dev.quantscope.prune.PruneMethod;
import dev.quantscope.prune.SparsityPattern;
import dev.quantscope.quant.scheme.QuantScheme;
import dev.quantscope.task.ProgressMonitor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** ggml's MNIST MLP on the MNIST digits it was trained for, stored the ways a Llama can be. */
class ClassifierCompressionTest {
    private static final Path MNIST = Path.of("assets/data/mnist");
    private static Classifier mlp;
    private static LabeledImages test, calibration;

    @BeforeAll
    static void load() throws Exception {
        mlp = Classifier.load(Path.of("../shared/models/ggml-mnist-mlp.state_dict"));
        LabeledImages digits = LabeledImages.read(MNIST.resolve("t10k-images-idx3-ubyte.gz"),
                MNIST.resolve("t10k-labels-idx1-ubyte.gz"), InputScaling.UNIT);
        // Calibrate on the first 1,000 digits and measure on the other 9,000, so no variant is graded on its calibration.
        calibration = digits.slice(0, 1000);
        test = digits.slice(1000, digits.count());
    }

    @Test
    void theOriginalIsTheFileAsItIsAndClassifiesDigits() {
        ClassifierCompression.Stored original = ClassifierCompression.apply(mlp, new ClassifierVariant.Original(), calibration, 2);
        assertEquals(4L * mlp.architecture().parameterCount(), original.bytes());
        assertTrue(Accuracy.measure(original.classifier(), test, 2, 0).top1() > 0.97, "ggml's MLP classifies ~98 % of MNIST");
    }

    @Test
    void eightBitsKeepTheAccuracyAndFourBitsTheOrder() {
        List<ClassifierPoint> points = ClassifierCompression.sweep(mlp, List.of(new ClassifierVariant.Original(),
                new ClassifierVariant.Quantized(QuantScheme.parse("int8-sym-row-rtn")),
                new ClassifierVariant.Quantized(QuantScheme.parse("int4-sym-g32-rtn")),
                new ClassifierVariant.Quantized(QuantScheme.parse("binary-row"))), test, calibration, 2, ProgressMonitor.NONE);
        double original = points.get(0).top1(), int8 = points.get(1).top1(), int4 = points.get(2).top1(), binary = points.get(3).top1();
        assertEquals(original, int8, 0.003);
        assertTrue(int4 > original - 0.02, "INT4 g32 " + int4 + " vs " + original);
        assertTrue(binary < int4, "one bit per weight costs more than four");
        assertTrue(points.get(1).bytes() < points.get(0).bytes() / 3.5 && points.get(2).bytes() < points.get(1).bytes());
        assertEquals(8 + 32.0 / 32 * 0 + 0, Math.floor(points.get(1).bitsPerWeight()), 0.0, "8-bit rows with a scale each");
    }

    @Test
    void ggmlBlockTypesFallBackAsLlamaQuantizeDoesWhenRowsDoNotFit() {
        // fc1's rows are 784 long: not whole blocks of 256 (Q4_K) nor of 32 (its fallback Q5_0), so F16; fc2's 500 neither.
        ClassifierCompression.Stored q4k = ClassifierCompression.apply(mlp,
                new ClassifierVariant.Quantized(QuantScheme.parse("ggml:Q4_K")), calibration, 2);
        assertEquals(2, q4k.notes().size(), q4k.notes().toString());
        assertTrue(q4k.notes().getFirst().contains("F16"), q4k.notes().getFirst());
        assertEquals(16.0, q4k.bitsPerWeight(), 1e-9);
    }

    @Test
    void pruningLeavesTheOutputLayerDenseAndCalibratedMethodsBeatMagnitude() {
        SparsityPattern twoFour = SparsityPattern.parse("2:4");
        double[] accuracy = new double[PruneMethod.values().length];
        for (PruneMethod method : PruneMethod.values()) {
            ClassifierCompression.Stored pruned = ClassifierCompression.apply(mlp, new ClassifierVariant.Pruned(method, twoFour), calibration, 2);
            float[] fc1 = pruned.classifier().tensor("fc1.weight");
            for (int group = 0; group < fc1.length; group += 4) {
                int zeros = 0;
                for (int k = 0; k < 4; k++) if (fc1[group + k] == 0) zeros++;
                assertTrue(zeros >= 2, method + ": group " + group / 4 + " keeps more than two");
            }
            assertArrayEquals(mlp.tensor("fc2.weight"), pruned.classifier().tensor("fc2.weight"), method + " left the output layer");
            double target = 0.5 * 784 * 500 / (784 * 500 + 5000);
            if (method == PruneMethod.SPARSEGPT) {
                // SparseGPT also zeroes the columns of inputs that never fire on the calibration images (MNIST's
                // blank border pixels), as the reference implementation does with dead inputs.
                assertTrue(pruned.sparsity() >= target, "SparseGPT " + pruned.sparsity());
            } else {
                assertEquals(target, pruned.sparsity(), 1e-9);
            }
            accuracy[method.ordinal()] = Accuracy.measure(pruned.classifier(), test, 2, 0).top1();
        }
        double magnitude = accuracy[PruneMethod.MAGNITUDE.ordinal()];
        assertTrue(accuracy[PruneMethod.WANDA.ordinal()] >= magnitude - 0.002, "Wanda " + accuracy[PruneMethod.WANDA.ordinal()] + " vs magnitude " + magnitude);
        assertTrue(accuracy[PruneMethod.SPARSEGPT.ordinal()] > magnitude, "SparseGPT " + accuracy[PruneMethod.SPARSEGPT.ordinal()] + " vs magnitude " + magnitude);
        assertTrue(mlp.tensor("fc1.weight")[0] != 0 || mlp.tensor("fc1.weight")[1] != 0, "the original is untouched");
    }

    @Test
    void aConvolutionIsPrunedKernelByKernelFromItsPatches() {
        Classifier cnn = Classifier.initialized(Architecture.parse("conv:8,pool,fc:16", InputShape.image(28, 28), 10), 7);
        ClassifierCompression.Stored pruned = ClassifierCompression.apply(cnn,
                new ClassifierVariant.Pruned(PruneMethod.SPARSEGPT, SparsityPattern.parse("50%")), calibration, 2);
        float[] conv = pruned.classifier().tensor("conv1.weight");
        long zeros = 0;
        for (float v : conv) if (v == 0) zeros++;
        assertEquals(conv.length / 2, zeros);
    }
}
