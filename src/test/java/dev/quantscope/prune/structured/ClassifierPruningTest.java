package dev.quantscope.prune.structured;

import dev.quantscope.format.Model;
import dev.quantscope.format.ModelOpener;
import dev.quantscope.task.ProgressMonitor;
import dev.quantscope.tensor.Shape;
import dev.quantscope.testing.SharedFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

import static dev.quantscope.prune.structured.PrunedLlamas.assertRowsKept;
import static dev.quantscope.prune.structured.PrunedLlamas.rows;
import static dev.quantscope.prune.structured.PrunedLlamas.sourceRowsOf;
import static dev.quantscope.prune.structured.PrunedLlamas.transpose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClassifierPruningTest {

    private static final int EVALUATED = 100;

    @TempDir
    Path dir;

    @Test
    void halfTheHiddenUnitsOfTheMnistMlpGoAndItsLogitsStayFinite() throws Exception {
        Path out = dir.resolve("mnist-mlp-250.safetensors");
        List<float[]> images = fashionMnist(EVALUATED + 1_000);
        List<float[]> evaluated = images.subList(0, EVALUATED);
        List<float[]> calibration = images.subList(EVALUATED, images.size());
        try (Model source = ModelOpener.open(SharedFiles.file("models/ggml-mnist-mlp.state_dict"))) {
            TwoLayerClassifier dense = TwoLayerClassifier.of(source, MlpLayers.FC1_FC2);
            try (Model weightOnly = HiddenUnitPruner.prune(source, MlpLayers.FC1_FC2, 0.5);
                 Model calibrated = HiddenUnitPruner.prune(source, MlpLayers.FC1_FC2, 0.5, calibration)) {
                HiddenUnitPruner.write(weightOnly, out, ProgressMonitor.NONE);
                report("weight-only", dense, TwoLayerClassifier.of(weightOnly, MlpLayers.FC1_FC2), evaluated);
                report("calibrated on 1,000 other images", dense, TwoLayerClassifier.of(calibrated, MlpLayers.FC1_FC2), evaluated);
            }
            assertTrue(Files.size(out) < Files.size(SharedFiles.file("models/ggml-mnist-mlp.state_dict")));
            try (Model reopened = ModelOpener.open(out)) {
                assertEquals(Shape.rowMajor(250, 784), reopened.tensor("fc1.weight").orElseThrow().shape());
                assertEquals(Shape.rowMajor(250), reopened.tensor("fc1.bias").orElseThrow().shape());
                assertEquals(Shape.rowMajor(10, 250), reopened.tensor("fc2.weight").orElseThrow().shape());
                assertEquals(Shape.rowMajor(10), reopened.tensor("fc2.bias").orElseThrow().shape());
                // a kept unit keeps its fc1 row, its bias and its fc2 column exactly
                int[] units = sourceRowsOf(rows(reopened.tensor("fc1.weight").orElseThrow()),
                        rows(source.tensor("fc1.weight").orElseThrow()));
                assertRowsKept(transpose(rows(reopened.tensor("fc2.weight").orElseThrow())),
                        transpose(rows(source.tensor("fc2.weight").orElseThrow())), units, "fc2 columns");
                float[] bias = dev.quantscope.tensor.Decoders.decodeAll(source.tensor("fc1.bias").orElseThrow());
                float[] keptBias = new float[units.length];
                for (int i = 0; i < units.length; i++) keptBias[i] = bias[units[i]];
                assertArrayEquals(keptBias, dev.quantscope.tensor.Decoders.decodeAll(reopened.tensor("fc1.bias").orElseThrow()));

                TwoLayerClassifier pruned = TwoLayerClassifier.of(reopened, MlpLayers.FC1_FC2);
                assertEquals(250, pruned.hidden());
                for (float[] image : evaluated) {
                    for (float f : pruned.logits(image)) assertTrue(Float.isFinite(f), "a logit is " + f);
                }
            }
        }
    }

    @Test
    void aRatioThatLeavesNoHiddenUnitIsRefused() throws Exception {
        try (Model source = ModelOpener.open(SharedFiles.file("models/ggml-mnist-mlp.state_dict"))) {
            IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> HiddenUnitPruner.prune(source, MlpLayers.FC1_FC2, 0.999));
            assertEquals("Removing 99.9 % of 500 hidden units leaves none; choose a smaller ratio.", e.getMessage());
        }
    }

    /** Mean KL(dense ‖ pruned) of the softmaxed logits and the top-1 agreement, printed for the report. */
    private static void report(String how, TwoLayerClassifier dense, TwoLayerClassifier pruned, List<float[]> images) {
        double kl = 0;
        int agree = 0;
        for (float[] image : images) {
            double[] p = softmax(dense.logits(image)), q = softmax(pruned.logits(image));
            for (int c = 0; c < p.length; c++) if (p[c] > 0) kl += p[c] * Math.log(p[c] / q[c]);
            if (argmax(p) == argmax(q)) agree++;
        }
        kl /= images.size();
        System.out.printf("MNIST MLP 500 -> 250 hidden units (%s), %d Fashion-MNIST test images: mean KL %.4f nats, "
                + "same top class %d %%%n", how, images.size(), kl, 100 * agree / images.size());
        assertTrue(Double.isFinite(kl) && kl >= 0, "KL " + kl);
    }

    private static double[] softmax(float[] logits) {
        double max = Double.NEGATIVE_INFINITY;
        for (float f : logits) max = Math.max(max, f);
        double[] p = new double[logits.length];
        double sum = 0;
        for (int i = 0; i < p.length; i++) sum += p[i] = Math.exp(logits[i] - max);
        for (int i = 0; i < p.length; i++) p[i] /= sum;
        return p;
    }

    private static int argmax(double[] p) {
        int best = 0;
        for (int i = 1; i < p.length; i++) if (p[i] > p[best]) best = i;
        return best;
    }

    /** The first {@code n} Fashion-MNIST test images (IDX, gzipped) as 784 floats in [0, 1]. */
    static List<float[]> fashionMnist(int n) throws IOException {
        Path file = SharedFiles.file("data/fashion-mnist/t10k-images-idx3-ubyte.gz");
        try (InputStream raw = Files.newInputStream(file);
             DataInputStream in = new DataInputStream(new GZIPInputStream(raw))) {
            assertEquals(0x803, in.readInt(), "IDX magic of an image file");
            int count = in.readInt(), rows = in.readInt(), cols = in.readInt();
            assertTrue(n <= count);
            List<float[]> images = new ArrayList<>(n);
            byte[] pixels = new byte[rows * cols];
            for (int i = 0; i < n; i++) {
                in.readFully(pixels);
                float[] x = new float[pixels.length];
                for (int p = 0; p < x.length; p++) x[p] = (pixels[p] & 0xFF) / 255f;
                images.add(x);
            }
            return images;
        }
    }
}
