package dev.quantscope.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quantscope.engine.classifier.ArchitectureJson;
import dev.quantscope.format.Model;
import dev.quantscope.format.ModelOpener;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static dev.quantscope.cli.AccuracyCommandTest.images;
import static dev.quantscope.cli.AccuracyCommandTest.labels;
import static dev.quantscope.cli.AccuracyCommandTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainCommandTest {
    @TempDir
    Path dir;

    /** The 10,000 test images as a (small) training set: one epoch of a small MLP, validated on the same files. */
    @Test
    void trainsSavesWithTheArchitectureAndAccuracyReadsItBack() throws Exception {
        Path out = dir.resolve("mlp.safetensors");
        AccuracyCommandTest.Run r = run("train", "--arch", "fc:32", "--images", images(), "--labels", labels(),
                "--val-images", images(), "--val-labels", labels(), "--epochs", "2", "--batch", "100", "--threads", "2",
                "-o", out.toString(), "--json");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.err().contains("epoch 1/2  loss ") && r.err().contains("epoch 2/2"), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertEquals("fc:32", j.get("architecture").asText());
        assertEquals(2, j.get("epochs").size());
        double val = j.get("val_accuracy").asDouble();
        assertTrue(val > 0.70, r.out());
        try (Model m = ModelOpener.open(out)) {
            Object meta = m.metadata().get("__metadata__");
            assertTrue(meta instanceof Map<?, ?> map && map.get(ArchitectureJson.METADATA_KEY) instanceof String, String.valueOf(meta));
        }
        AccuracyCommandTest.Run inspect = run("inspect", out.toString());
        assertTrue(inspect.out().contains("classifier    fc:32 on 1×28×28, 10 classes"), inspect.out());
        AccuracyCommandTest.Run acc = run("accuracy", out.toString(), "--images", images(), "--labels", labels(), "--json");
        assertEquals(0, acc.exit(), acc.err());
        assertEquals(val, new ObjectMapper().readTree(acc.out()).get("top1").asDouble(), 1e-12);
    }

    @Test
    void badSpecsAndOptionsAreRefusedInOneSentenceAndWriteNothing() {
        Path out = dir.resolve("x.safetensors");
        for (String[] extra : new String[][] {{"--arch", "fc:32,conv:4"}, {"--arch", "fc:32", "--optimizer", "rmsprop"},
                {"--arch", "fc:32", "--val-images", "v.idx"}, {"--arch", "fc:0"}}) {
            String[] args = new String[extra.length + 7];
            System.arraycopy(new String[] {"train", "--images", images(), "--labels", labels(), "-o", out.toString()}, 0, args, 0, 7);
            System.arraycopy(extra, 0, args, 7, extra.length);
            AccuracyCommandTest.Run r = run(args);
            assertNotEquals(0, r.exit(), String.join(" ", extra));
            assertEquals(1, r.err().strip().lines().count(), r.err());
            assertFalse(r.err().contains("Exception"), r.err());
        }
        assertFalse(Files.exists(out));
    }
}
