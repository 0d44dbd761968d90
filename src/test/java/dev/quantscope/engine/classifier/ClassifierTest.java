package dev.quantscope.engine.classifier;

import dev.quantscope.format.Model;
import dev.quantscope.format.ModelOpener;
import dev.quantscope.testing.SharedFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClassifierTest {
    @TempDir
    Path dir;

    static final InputShape MNIST = InputShape.image(28, 28);

    @Test
    void ggmlsMnistMlpLoadsFromItsPyTorchFileAsFc1ReluFc2() throws IOException {
        Classifier c = Classifier.load(SharedFiles.file("models/ggml-mnist-mlp.state_dict"));
        Architecture a = c.architecture();
        assertEquals(10, a.classes());
        assertEquals("fc:500", a.spec());
        assertEquals(397_510, a.parameterCount());
        assertEquals(List.of("fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"),
                a.parameters().stream().map(ParameterTensor::name).toList());
        float[] image = new float[784];
        assertEquals(10, c.logits(image, 1, 1).length);
    }

    @Test
    void savedClassifierLoadsBackWithItsArchitectureAndWeights() throws IOException {
        Architecture a = Architecture.parse("conv:4,bn,pool,fc:16,gelu,dropout:0.2", MNIST, 10);
        Classifier c = Classifier.initialized(a, 3);
        Path file = dir.resolve("out/c.safetensors");
        c.save(file);
        Classifier back = Classifier.load(file);
        assertEquals(a, back.architecture());
        for (ParameterTensor p : a.parameters()) assertArrayEquals(c.tensor(p.name()), back.tensor(p.name()), p.name());
        try (Model m = ModelOpener.open(file)) {
            assertEquals(10, m.tensors().size());   // conv1, bn1 (4 with its running statistics), fc1, out
        }
    }

    @Test
    void architectureJsonBesideAFileIsRead() throws IOException {
        Architecture a = Architecture.parse("fc:8", MNIST, 3);
        Classifier c = Classifier.initialized(a, 1);
        Path file = dir.resolve("m.safetensors");
        c.save(file);
        // the same weights read as a plain file: rename the metadata away by re-reading through a side file
        Files.writeString(dir.resolve("m.architecture.json"), ArchitectureJson.write(Architecture.parse("fc:8", MNIST, 3)));
        assertEquals(a, Classifier.load(file).architecture());
        assertEquals(dir.resolve("m.architecture.json"), ModelArchitecture.sideFile(file));
    }

    @Test
    void initialisationIsPyTorchsUniformFanInBoundAndRepeatsPerSeed() {
        Architecture a = Architecture.parse("conv:8,bn,pool,fc:32", MNIST, 10);
        Classifier c = Classifier.initialized(a, 42);
        double bound = 1 / Math.sqrt(9);
        double max = 0;
        for (float v : c.tensor("conv1.weight")) max = Math.max(max, Math.abs(v));
        assertTrue(max <= bound && max > 0.9 * bound, "max " + max);
        for (float v : c.tensor("fc1.weight")) assertTrue(Math.abs(v) <= 1 / Math.sqrt(8 * 14 * 14));
        for (float v : c.tensor("bn1.weight")) assertEquals(1f, v);
        for (float v : c.tensor("bn1.running_var")) assertEquals(1f, v);
        for (float v : c.tensor("bn1.running_mean")) assertEquals(0f, v);
        assertArrayEquals(c.tensor("fc1.weight"), Classifier.initialized(a, 42).tensor("fc1.weight"));
    }

    @Test
    void constructorRefusesMissingWrongSizedAndExtraTensors() {
        Architecture a = Architecture.parse("", InputShape.flat(4), 2);
        Map<String, float[]> t = new HashMap<>(Map.of("out.weight", new float[8], "out.bias", new float[2]));
        new Classifier(a, t);
        t.put("extra", new float[1]);
        assertThrows(IllegalArgumentException.class, () -> new Classifier(a, t));
        assertThrows(IllegalArgumentException.class, () -> new Classifier(a, Map.of("out.weight", new float[8])));
        assertThrows(IllegalArgumentException.class, () -> new Classifier(a, Map.of("out.weight", new float[7], "out.bias", new float[2])));
    }

    @Test
    void copyIsDeep() {
        Classifier c = Classifier.initialized(Architecture.parse("fc:4", InputShape.flat(3), 2), 1);
        Classifier d = c.copy();
        assertNotSame(c.tensor("fc1.weight"), d.tensor("fc1.weight"));
        assertArrayEquals(c.tensor("fc1.weight"), d.tensor("fc1.weight"));
    }

    /** Every layer kind, with batch norm's running statistics not at their defaults, against the scalar reference. */
    @Test
    void logitsMatchTheScalarReference() {
        Architecture a = Architecture.parse("conv:6,bn,pool,conv:5:5,gelu,pool,fc:20,bn,dropout:0.5,fc:7", InputShape.image(12, 10), 4);
        Classifier c = Classifier.initialized(a, 5);
        SplittableRandom r = new SplittableRandom(9);
        for (String bn : List.of("bn1", "bn2")) {
            float[] mean = c.tensor(bn + ".running_mean"), var = c.tensor(bn + ".running_var");
            for (int i = 0; i < mean.length; i++) {
                mean[i] = (float) r.nextDouble(-0.2, 0.2);
                var[i] = (float) r.nextDouble(0.5, 2);
            }
        }
        int batch = 140;   // more than one inference batch
        float[] x = new float[batch * a.input().features()];
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextDouble();
        float[] fast = c.logits(x, batch, 2), reference = c.logitsScalar(x, batch);
        for (int i = 0; i < fast.length; i++) assertEquals(reference[i], fast[i], 1e-4 * (1 + Math.abs(reference[i])), "logit " + i);
        assertArrayEquals(fast, c.logits(x, batch, 1));
    }
}
