package dev.quantscope.engine.classifier;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quantscope.testing.SharedFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ONNX files exported by PyTorch (made by onnx/make_pytorch_cnn_onnx.py beside them) open as classifiers whose
 * architecture is read from the graph, and compute PyTorch's logits.
 */
class OnnxClassifierTest {
    /** PyTorch and QuantScope sum in different orders; float rounding of logits near 1 stays well below this. */
    static final double TOLERANCE = 1e-4;

    @TempDir
    Path dir;

    static Path fixture(String name) {
        try {
            return Path.of(OnnxClassifierTest.class.getResource("/dev/quantscope/engine/classifier/onnx/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The first {@code n} Fashion-MNIST test images as the fixtures' JSON files say they were fed: pixels / 255. */
    static LabeledImages firstImages(int n) throws Exception {
        LabeledImages all = LabeledImages.read(SharedFiles.file("data/fashion-mnist/t10k-images-idx3-ubyte.gz"),
                SharedFiles.file("data/fashion-mnist/t10k-labels-idx1-ubyte.gz"), InputScaling.UNIT);
        return all.slice(0, n);
    }

    /** Largest |QuantScope − PyTorch| over the logits the JSON beside the model holds, after checking the labels. */
    static double maxDifference(Classifier c, String json) throws Exception {
        JsonNode expected = new ObjectMapper().readTree(fixture(json).toFile());
        int n = expected.get("logits").size();
        LabeledImages images = firstImages(n);
        for (int i = 0; i < n; i++) assertEquals(expected.get("labels").get(i).asInt(), images.labels()[i], "label " + i);
        float[] logits = c.logits(images.inputs(), n, 1);
        float[] scalar = c.logitsScalar(images.inputs(), n);
        double max = 0;
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < 10; k++) {
                double torch = expected.get("logits").get(i).get(k).asDouble();
                max = Math.max(max, Math.abs(logits[i * 10 + k] - torch));
                max = Math.max(max, Math.abs(scalar[i * 10 + k] - torch));
            }
        }
        return max;
    }

    static List<String> names(Architecture a) {
        return a.layers().stream().map(Layer::name).toList();
    }

    @Test
    void aPyTorchSequentialCnnOpensWithItsGraphsLayersAndComputesPyTorchsLogits() throws Exception {
        Classifier c = Classifier.load(fixture("cnn.onnx"));
        Architecture a = c.architecture();
        assertEquals("conv:4,pool,conv:8,pool,fc:16", a.spec());
        assertEquals(InputShape.image(28, 28), a.input());
        assertEquals(10, a.classes());
        // an nn.Sequential's modules are named by index, parameterless ones by the node's module path (/1/Relu)
        assertEquals(List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"), names(a));
        double max = maxDifference(c, "cnn.logits.json");
        assertTrue(max < TOLERANCE, "max |logit difference| " + max);
    }

    @Test
    void aBatchNormAfterALinearLayerIsReadWithItsRunningStatistics() throws Exception {
        Classifier c = Classifier.load(fixture("mlp-bn.onnx"));
        assertEquals("pool:4,fc:16,bn", c.architecture().spec());
        assertEquals(List.of("pool", "flatten", "fc1", "bn1", "relu", "out"), names(c.architecture()));
        double max = maxDifference(c, "mlp-bn.logits.json");
        assertTrue(max < TOLERANCE, "max |logit difference| " + max);
    }

    @Test
    void aMatMulOfATransposedWeightPlusItsBiasIsALinearLayer() throws Exception {
        Classifier c = Classifier.load(fixture("matmul.onnx"));
        assertEquals("pool:7,fc:8", c.architecture().spec());
        assertEquals(List.of("pool", "flatten1", "fc", "relu1", "out"), names(c.architecture()));
        double max = maxDifference(c, "matmul.logits.json");
        assertTrue(max < TOLERANCE, "max |logit difference| " + max);
    }

    @Test
    void aReshapeToBatchByFeaturesIsAFlatten() throws Exception {
        Classifier c = Classifier.load(fixture("view.onnx"));
        assertEquals(List.of("pool", "flatten1", "fc"), names(c.architecture()));
        assertEquals(new LayerSpec.Flatten(), c.architecture().layers().get(1).spec());
        double max = maxDifference(c, "view.logits.json");
        assertTrue(max < TOLERANCE, "max |logit difference| " + max);
    }

    @Test
    void anOpTheEngineDoesNotRunIsNamedInTheRefusal() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Classifier.load(fixture("sigmoid.onnx")));
        assertEquals("sigmoid.onnx: cannot tell its classifier architecture: its graph holds the Sigmoid node /Sigmoid, and"
                + " QuantScope runs Conv, Relu, MaxPool, Flatten, Reshape, Gemm, MatMul + Add and BatchNormalization.", e.getMessage());
    }

    @Test
    void aMatMulByAWeightStoredInByOutIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Classifier.load(fixture("matmul-folded.onnx")));
        assertTrue(e.getMessage().startsWith("matmul-folded.onnx: cannot tell its classifier architecture: the MatMul node /MatMul"
                + " multiplies by the weight onnx::MatMul_"), e.getMessage());
    }

    @Test
    void aClassifierReadFromOnnxSavesAsSafetensorsAndReopensTheSame() throws Exception {
        Classifier c = Classifier.load(fixture("cnn.onnx"));
        Path saved = dir.resolve("cnn.safetensors");
        c.save(saved);
        Classifier back = Classifier.load(saved);
        assertEquals(c.architecture(), back.architecture());
        LabeledImages images = firstImages(8);
        assertArrayEquals(c.logits(images.inputs(), 8, 1), back.logits(images.inputs(), 8, 1));
    }

    @Test
    void aConvolutionWithStrideTwoIsRefusedInOneSentenceNamingFileAndNode() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Classifier.load(fixture("cnn-stride2.onnx")));
        assertEquals("cnn-stride2.onnx: cannot tell its classifier architecture: the Conv node /0/Conv has strides [2, 2],"
                + " where QuantScope runs stride 1.", e.getMessage());
    }

    @Test
    void weightsTheExporterRenamedAreRefusedRatherThanGuessed() throws Exception {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Classifier.load(fixture("cnn-bn-folded.onnx")));
        String m = e.getMessage();
        assertTrue(m.startsWith("cnn-bn-folded.onnx: cannot tell its classifier architecture: the parameters of the Conv node /0/Conv"
                + " are named onnx::Conv_"), m);
        assertTrue(m.endsWith(".") && m.lines().count() == 1, m);
        // nor is it taken for a Linear chain: exports and plans see no classifier
        try (var model = dev.quantscope.format.ModelOpener.open(fixture("cnn-bn-folded.onnx"))) {
            assertTrue(Classifier.architectureOf(model, Classifier.DEFAULT_INPUT).isEmpty());
        }
    }

    @Test
    void theOutputLayerOfAnOnnxClassifierIsItsLastGemm() throws Exception {
        try (var model = dev.quantscope.format.ModelOpener.open(fixture("cnn.onnx"))) {
            assertEquals(java.util.Optional.of("9.weight"), Classifier.outputWeightOf(model));
        }
    }
}
