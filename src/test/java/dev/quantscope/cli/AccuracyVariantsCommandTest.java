package dev.quantscope.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quantscope.testing.SharedFiles;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code accuracy --types/--sparsities}: ggml's MNIST MLP on the MNIST digits, stored several ways. */
class AccuracyVariantsCommandTest {
    private static final Path MNIST = Path.of("assets/data/mnist");

    @Test
    void eachSchemeAndEachSparsityByEachMethodIsMeasuredBesideTheOriginal() throws Exception {
        var r = AccuracyCommandTest.run("accuracy", SharedFiles.file("models/ggml-mnist-mlp.state_dict").toString(),
                "--images", MNIST.resolve("t10k-images-idx3-ubyte.gz").toString(),
                "--labels", MNIST.resolve("t10k-labels-idx1-ubyte.gz").toString(),
                "--types", "int8-sym-row-rtn,ggml:Q8_0", "--sparsities", "2:4", "--methods", "magnitude,wanda",
                "--threads", "2", "--json");
        assertEquals(0, r.exit(), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertEquals(1024, j.get("calibrationImages").asInt());
        assertEquals(10_000 - 1024, j.get("n").asInt());
        JsonNode v = j.get("variants");
        assertEquals(5, v.size());
        assertEquals("original", v.get(0).get("variant").asText());
        assertEquals("magnitude 2:4", v.get(3).get("variant").asText());
        double original = v.get(0).get("top1").asDouble();
        assertTrue(original > 0.97, "ggml's MLP on MNIST: " + original);
        assertEquals(original, v.get(1).get("top1").asDouble(), 0.003, "INT8 per row");
        assertTrue(v.get(1).get("bytes").asLong() * 3.5 < v.get(0).get("bytes").asLong());
        // Rows of 784 and 500 are not whole Q8_0 blocks and llama-quantize has no fallback for Q8_0: kept, and said.
        assertEquals(v.get(0).get("bytes").asLong(), v.get(2).get("bytes").asLong());
        assertTrue(v.get(2).get("notes").get(0).asText().contains("784"), v.get(2).toString());
        for (int i = 3; i < 5; i++) assertEquals(0.4937, v.get(i).get("sparsity").asDouble(), 1e-4);
    }

    @Test
    void aBadSchemeIsOneSentence() {
        var r = AccuracyCommandTest.run("accuracy", SharedFiles.file("models/ggml-mnist-mlp.state_dict").toString(),
                "--images", MNIST.resolve("t10k-images-idx3-ubyte.gz").toString(),
                "--labels", MNIST.resolve("t10k-labels-idx1-ubyte.gz").toString(), "--types", "int9-sym-row");
        assertTrue(r.exit() != 0);
        assertTrue(r.err().contains("int9") && !r.err().contains("Exception") && !r.err().contains("\tat "), r.err());
    }
}
