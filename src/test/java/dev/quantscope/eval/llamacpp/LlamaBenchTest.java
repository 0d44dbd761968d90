package dev.quantscope.eval.llamacpp;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reading llama-bench's JSON, finding llama.cpp's tools, and a failed run's one sentence: no tool is run here. */
class LlamaBenchTest {

    /** Two tests as llama-bench -o json prints them (fields it prints and we do not read are cut). */
    static final String TWO_TESTS = """
            [
              {
                "build_commit": "unknown", "model_filename": "stories260K.gguf", "n_threads": 1, "type_k": "f16",
                "n_prompt": 32, "n_gen": 0, "n_depth": 0,
                "avg_ns": 7202943, "stddev_ns": 1406951, "avg_ts": 4529.028451, "stddev_ts": 884.655580,
                "samples_ns": [ 8197808, 6208078, 6000000 ],
                "samples_ts": [ 3903.48, 5154.57, 5333.33 ]
              },
              {
                "build_commit": "unknown", "model_filename": "stories260K.gguf", "n_threads": 1, "type_k": "f16",
                "n_prompt": 0, "n_gen": 8, "n_depth": 0,
                "avg_ns": 1236218, "stddev_ns": 68238, "avg_ts": 6481.224624, "stddev_ts": 357.760449,
                "samples_ns": [ 1284470, 1187966 ],
                "samples_ts": [ 6228.25, 6734.2 ]
              }
            ]
            """;

    @Test
    void ppAndTgAreTheMediansOfTheirTestsSamples() {
        LlamaBench.Figures f = LlamaBench.parse(TWO_TESTS);
        assertEquals(5154.57, f.pp(), 1e-9, "the middle of three samples, not their mean (avg_ts)");
        assertEquals((6228.25 + 6734.2) / 2, f.tg(), 1e-9, "the mean of the middle two of an even count");
    }

    @Test
    void aTestNotRunIsNaNAndAnOlderOutputWithoutSamplesGivesItsMean() {
        LlamaBench.Figures onlyTg = LlamaBench.parse("""
                [ { "n_prompt": 0, "n_gen": 16, "avg_ts": 120.5 } ]""");
        assertTrue(Double.isNaN(onlyTg.pp()));
        assertEquals(120.5, onlyTg.tg());
    }

    @Test
    void whatIsNotLlamaBenchOutputIsRefused() {
        for (String text : List.of("", "[", "[]", "{\"n_prompt\": 1}", "[ { \"n_prompt\": 8, \"n_gen\": 8, \"avg_ts\": 1 } ]")) {
            assertThrows(IllegalArgumentException.class, () -> LlamaBench.parse(text), text);
        }
    }

    @Test
    void theCommandPassesTheSameSettingsAndAnF16Cache(@TempDir Path dir) throws Exception {
        Path wrapper = executable(dir.resolve("llama"));
        List<String> c = LlamaBench.command(LlamaCppTools.at(dir), Path.of("m.gguf"), 128, 32, 2, 3);
        assertEquals(List.of(wrapper.toString(), "bench", "-m", "m.gguf", "-p", "128", "-n", "32", "-t", "2", "-r", "3",
                "-ctk", "f16", "-ctv", "f16", "-o", "json"), c);
        List<String> sleeping = LlamaBench.command(LlamaCppTools.at(dir), Path.of("m.gguf"), 128, 32, 2, 3,
                java.util.OptionalInt.of(0));
        assertEquals(List.of("--poll", "0", "-o", "json"), sleeping.subList(sleeping.size() - 4, sleeping.size()));
    }

    @Test
    void toolsAreFoundFromTheWrapperItsFolderOrABinary(@TempDir Path dir) throws Exception {
        Path wrapper = executable(dir.resolve("llama"));
        Files.createDirectories(dir.resolve("bin"));
        Path bench = executable(dir.resolve("bin/llama-bench"));
        assertEquals(Optional.of(wrapper), LlamaCppTools.at(dir).wrapper());
        assertEquals(Optional.of(wrapper), LlamaCppTools.at(wrapper).wrapper());
        // a binary of the wrapper's tree needs the wrapper's library path
        assertEquals(Optional.of(wrapper), LlamaCppTools.at(bench).wrapper());
        assertEquals(List.of(wrapper.toString(), "quantize"), LlamaCppTools.at(bench).command("quantize"));

        Path build = Files.createDirectories(dir.resolve("build/bin"));
        Path lone = executable(build.resolve("llama-bench"));
        LlamaCppTools fromBuild = LlamaCppTools.at(build.getParent());
        assertEquals(Optional.of(build), fromBuild.folder());
        assertEquals(List.of(lone.toString()), LlamaCppTools.at(lone).command("bench"));
        IllegalArgumentException noQuantize = assertThrows(IllegalArgumentException.class,
                () -> fromBuild.command("quantize"));
        assertTrue(noQuantize.getMessage().contains("llama-quantize"), noQuantize.getMessage());
    }

    @Test
    void aPathWithoutToolsIsOneSentenceNamingIt(@TempDir Path dir) throws Exception {
        for (Path p : List.of(dir, dir.resolve("missing"), Files.writeString(dir.resolve("notes.txt"), "x"))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LlamaCppTools.at(p));
            assertTrue(e.getMessage().startsWith(p.toString() + ": "), e.getMessage());
        }
        assertEquals(Optional.empty(), LlamaCppTools.find(Optional.of(dir), dir));
        Files.createDirectories(dir.resolve("project"));
        Path shared = Files.createDirectories(dir.resolve("shared/tools/llama.cpp"));
        executable(shared.resolve("llama"));
        // not set in the preferences: the project's ../shared/tools/llama.cpp, seen from the project's folder
        assertTrue(LlamaCppTools.find(Optional.empty(), dir.resolve("project")).isPresent());
    }

    @Test
    void aFailedRunSaysLlamaCppsOwnReason() {
        ToolRun refused = new ToolRun(List.of("llama-bench"), 1, "[\n", "main: loading\nllama_bench: error: failed "
                + "to load model 'x.gguf'\n", 0.1, Double.NaN);
        RuntimeException e = refused.failure("llama.cpp's llama-bench", Path.of("x.gguf"));
        assertEquals("x.gguf: llama.cpp's llama-bench refused it (failed to load model 'x.gguf')", e.getMessage());
        ToolRun notStarted = new ToolRun(List.of("llama-bench"), 127, "", "llama-bench: error while loading shared "
                + "libraries: libllama.so.0: cannot open shared object file\n", 0.01, Double.NaN);
        RuntimeException n = notStarted.failure("llama.cpp's llama-bench", Path.of("x.gguf"));
        assertTrue(n instanceof IllegalStateException && n.getMessage().startsWith("llama.cpp's llama-bench did not start"),
                n.getMessage());
    }

    @Test
    void theMedianOfAnEvenCountIsTheMeanOfItsMiddleTwo() {
        assertEquals(2.5, LlamaBench.median(new double[] {4, 1, 2, 3}));
        assertEquals(3.0, LlamaBench.median(new double[] {3}));
        assertTrue(Double.isNaN(LlamaBench.median(new double[0])));
    }

    private static Path executable(Path p) throws Exception {
        Files.writeString(p, "#!/bin/sh\nexit 0\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        return p;
    }
}
