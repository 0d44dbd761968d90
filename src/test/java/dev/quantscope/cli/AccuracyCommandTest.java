package dev.quantscope.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quantscope.engine.classifier.Architecture;
import dev.quantscope.engine.classifier.Classifier;
import dev.quantscope.engine.classifier.InputShape;
import dev.quantscope.testing.SharedFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AccuracyCommandTest {
    @TempDir
    Path dir;

    record Run(int exit, String out, String err) {}

    static Run run(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        CommandLine cl = QuantScopeCommand.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    static String images() {
        return SharedFiles.file("data/fashion-mnist/t10k-images-idx3-ubyte.gz").toString();
    }

    static String labels() {
        return SharedFiles.file("data/fashion-mnist/t10k-labels-idx1-ubyte.gz").toString();
    }

    @Test
    void jsonHasTopOneTopFiveCountAndAConfusionMatrixOverEveryImage() throws Exception {
        Path model = dir.resolve("mlp.safetensors");
        Classifier.initialized(Architecture.parse("fc:8", InputShape.image(28, 28), 10), 1).save(model);
        Run r = run("accuracy", model.toString(), "--images", images(), "--labels", labels(), "--json", "--threads", "2");
        assertEquals(0, r.exit(), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertEquals(10_000, j.get("n").asInt());
        double top1 = j.get("top1").asDouble(), top5 = j.get("top5").asDouble();
        assertTrue(top1 >= 0 && top1 <= top5 && top5 <= 1, r.out());
        long total = 0, diagonal = 0;
        for (int t = 0; t < 10; t++) {
            for (int p = 0; p < 10; p++) total += j.get("confusion").get(t).get(p).asLong();
            diagonal += j.get("confusion").get(t).get(t).asLong();
        }
        assertEquals(10_000, total);
        assertEquals(top1, diagonal / 10_000.0, 1e-12);
    }

    @Test
    void textPrintsTheFiguresAndTheTable() {
        Run r = run("accuracy", SharedFiles.file("models/ggml-mnist-mlp.state_dict").toString(), "--images", images(), "--labels", labels());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("10000 images, 10 classes (fc:500)"), r.out());
        assertTrue(r.out().contains("top-1") && r.out().contains("true\\pred") && r.out().contains("recall"), r.out());
    }

    @Test
    void aPyTorchExportedOnnxCnnRunsWithTheArchitectureItsGraphStates() throws Exception {
        Path model = Path.of(AccuracyCommandTest.class.getResource("/dev/quantscope/engine/classifier/onnx/cnn.onnx").toURI());
        Run r = run("accuracy", model.toString(), "--images", images(), "--labels", labels(), "--threads", "2");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("10000 images, 10 classes (conv:4,pool,conv:8,pool,fc:16)"), r.out());
    }

    @Test
    void anOnnxGraphWithAnUnsupportedConvolutionIsRefusedInOneLine() throws Exception {
        Path model = Path.of(AccuracyCommandTest.class.getResource("/dev/quantscope/engine/classifier/onnx/cnn-stride2.onnx").toURI());
        Run r = run("accuracy", model.toString(), "--images", images(), "--labels", labels());
        assertNotEquals(0, r.exit());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains("cnn-stride2.onnx") && r.err().contains("strides [2, 2]"), r.err());
    }

    @Test
    void swappedFilesAreRefusedInOneLineNamingTheFile() {
        Run r = run("accuracy", SharedFiles.file("models/ggml-mnist-mlp.state_dict").toString(), "--images", labels(), "--labels", images());
        assertNotEquals(0, r.exit());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains("t10k-labels-idx1-ubyte.gz") && r.err().contains("dimensions"), r.err());
    }

    @Test
    void meanWithoutStdIsRefused() {
        Run r = run("accuracy", "m.safetensors", "--images", images(), "--labels", labels(), "--mean", "0.5");
        assertNotEquals(0, r.exit());
        assertTrue(r.err().contains("--mean and --std go together"), r.err());
    }
}
