package dev.quantscope.quant.ggml;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quantscope.format.Model;
import dev.quantscope.format.ModelOpener;
import dev.quantscope.tensor.DType;
import dev.quantscope.tensor.Decoders;
import dev.quantscope.tensor.TensorInfo;
import dev.quantscope.testing.SharedFiles;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Every tensor llama-quantize wrote for the synthetic Llama, in every preset: our quantizer (row by row, as
 * llama-quantize hands rows to ggml_quantize_chunk) must give bytes with the same sha256. Tensors a preset keeps
 * in F32 are checked as the F32 bytes of the F16 source's values.
 */
class LlamaQuantizeHashesTest {

    @Test
    void everyPresetTensorMatchesLlamaQuantize() throws Exception {
        JsonNode expected = new ObjectMapper().readTree(
                SharedFiles.file("expected/synth-llama-dev-llama-quantize.json").toFile());
        JsonNode presets = expected.get("presets");
        assertTrue(presets.size() >= 15, "presets listed: " + presets.size());

        int pairs = 0, quantizedPairs = 0;
        List<String> mismatches = new ArrayList<>();
        Map<DType, int[]> perType = new HashMap<>();
        try (Model model = ModelOpener.open(SharedFiles.file("models/synth-llama-dev-f16.gguf"))) {
            Map<String, float[]> decoded = new HashMap<>();
            for (var preset : presets.properties()) {
                for (var entry : preset.getValue().get("tensors").properties()) {
                    String name = entry.getKey();
                    DType type = DType.ofName(entry.getValue().get(0).asText()).orElseThrow();
                    String sha = entry.getValue().get(1).asText();
                    TensorInfo t = model.tensor(name).orElseThrow(() -> new AssertionError("no tensor " + name));
                    float[] values = decoded.computeIfAbsent(name, n -> Decoders.decodeAll(t));

                    byte[] bytes = encode(t, values, type);
                    String actual = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
                    pairs++;
                    if (type.isBlockQuantized()) quantizedPairs++;
                    int[] tally = perType.computeIfAbsent(type, k -> new int[2]);
                    tally[1]++;
                    if (actual.equals(sha)) {
                        tally[0]++;
                    } else {
                        mismatches.add(preset.getKey() + "/" + name + " (" + type + ")");
                    }
                }
            }
        }
        System.out.printf("llama-quantize hashes: %d of %d (preset, tensor) pairs match (%d quantized); per type %s%n",
                pairs - mismatches.size(), pairs, quantizedPairs, describe(perType));
        assertEquals(15 * 30, pairs, "pairs checked");
        assertEquals(List.of(), mismatches, "tensors whose bytes differ from llama-quantize's");
    }

    /** The bytes llama-quantize would write for {@code values} as {@code type}. */
    private static byte[] encode(TensorInfo t, float[] values, DType type) {
        return switch (type) {
            case F32 -> {
                ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
                for (float v : values) b.putFloat(v);
                yield b.array();
            }
            case F16 -> {
                ByteBuffer b = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
                for (float v : values) b.putShort(Float.floatToFloat16(v));
                yield b.array();
            }
            default -> {
                GgmlQuantizer q = GgmlQuantizer.create(type);
                int rowLength = Math.toIntExact(t.shape().rowLength());
                int rows = Math.toIntExact(t.shape().rows());
                int rowBytes = Math.toIntExact(q.byteSize(rowLength));
                byte[] out = new byte[Math.multiplyExact(rows, rowBytes)];
                // through the MemorySegment entry point, the one a writer of files will use
                MemorySegment seg = MemorySegment.ofArray(out);
                for (int r = 0; r < rows; r++) {
                    q.quantize(values, r * rowLength, rowLength, seg, (long) r * rowBytes);
                }
                assertArrayEquals(out, seg.toArray(ValueLayout.JAVA_BYTE));
                yield out;
            }
        };
    }

    private static String describe(Map<DType, int[]> perType) {
        StringBuilder sb = new StringBuilder();
        perType.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(
                e -> sb.append(e.getKey()).append(' ').append(e.getValue()[0]).append('/').append(e.getValue()[1]).append(' '));
        return sb.toString().trim();
    }
}
