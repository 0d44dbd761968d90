package dev.quantscope.quant.preset;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quantscope.format.Model;
import dev.quantscope.format.gguf.GgufFile;
import dev.quantscope.format.gguf.GgufOutput;
import dev.quantscope.format.gguf.GgufOutputLayout;
import dev.quantscope.format.gguf.GgufOutputTensor;
import dev.quantscope.format.gguf.GgufReader;
import dev.quantscope.testing.SharedFiles;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every preset's type choice for every tensor of the synthetic Llama against what llama-quantize really chose
 * (the reference JSON records the type and hash of each tensor of each output file).
 */
class PresetPlannerSyntheticDevTest {
    private static JsonNode presets;
    private static GgufFile dev;

    @BeforeAll
    static void load() throws IOException {
        presets = new ObjectMapper().readTree(SharedFiles.file("expected/synth-llama-dev-llama-quantize.json").toFile())
                .path("presets");
        try (Model m = GgufReader.open(SharedFiles.file("models/synth-llama-dev-f16.gguf"))) {
            dev = (GgufFile) m.details(); // plain values: usable after the model is closed
        }
    }

    @Test
    void theReferenceCoversExactlyTheModelledPresets() {
        Set<String> names = new TreeSet<>();
        presets.fieldNames().forEachRemaining(names::add);
        Set<String> ours = new TreeSet<>(Arrays.stream(Preset.values()).map(Enum::name).toList());
        assertEquals(ours, names);
    }

    @ParameterizedTest
    @EnumSource(Preset.class)
    void everyTensorGetsLlamaQuantizesType(Preset preset) {
        JsonNode expected = presets.path(preset.name()).path("tensors");
        Map<String, String> want = new LinkedHashMap<>();
        expected.properties().forEach(e -> want.put(e.getKey(), e.getValue().get(0).asText()));

        List<TensorChoice> plan = PresetPlanner.plan(preset, dev);
        Map<String, String> got = new LinkedHashMap<>();
        for (TensorChoice c : plan) got.put(c.name(), c.type().name());

        assertEquals(want.size(), got.size());
        for (var e : want.entrySet()) assertEquals(e.getValue(), got.get(e.getKey()), preset + " " + e.getKey());
        // and in the order of llama-quantize's output file, which the JSON lists
        assertEquals(new ArrayList<>(want.keySet()), new ArrayList<>(got.keySet()));
    }

    /** With those types, the file the writer lays out has exactly the size of llama-quantize's file. */
    @ParameterizedTest
    @EnumSource(Preset.class)
    void plannedFileHasLlamaQuantizesSize(Preset preset) {
        try (Arena arena = Arena.ofConfined()) {
            List<GgufOutputTensor> tensors = new ArrayList<>();
            for (TensorChoice c : PresetPlanner.plan(preset, dev)) {
                long n = 1;
                for (long d : c.source().ne()) n = Math.multiplyExact(n, d);
                tensors.add(new GgufOutputTensor(c.name(), c.source().ne(), c.type(), arena.allocate(c.type().byteSize(n))));
            }
            GgufOutput out = GgufOutput.likeLlamaQuantize(dev, preset.llamaFtype(), tensors);
            assertEquals(presets.path(preset.name()).path("file_bytes").asLong(), GgufOutputLayout.of(out).fileSize());
        }
    }

    @Test
    void theSyntheticModelNeedsNoFallbackAndQuantizesOnlyMatrices() {
        for (Preset p : Preset.values()) {
            for (TensorChoice c : PresetPlanner.plan(p, dev)) {
                assertEquals(false, c.fellBack(), p + " " + c.name());
                assertEquals(!c.name().endsWith("norm.weight"), c.quantizable(), c.name());
            }
        }
    }
}
