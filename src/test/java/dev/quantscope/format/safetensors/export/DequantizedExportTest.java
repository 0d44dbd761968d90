package dev.quantscope.format.safetensors.export;

import dev.quantscope.format.Model;
import dev.quantscope.format.gguf.GgufReader;
import dev.quantscope.format.safetensors.SafetensorsReader;
import dev.quantscope.task.ProgressMonitor;
import dev.quantscope.tensor.DType;
import dev.quantscope.tensor.Decoders;
import dev.quantscope.tensor.Layouts;
import dev.quantscope.tensor.TensorInfo;
import dev.quantscope.testing.SharedFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DequantizedExportTest {
    @TempDir
    Path dir;

    /** Values that exercise rounding: ties both ways, subnormals, overflow, signed zero, infinities, NaN. */
    private static float[] trickyValues() {
        List<Float> v = new ArrayList<>(List.of(0f, -0f, 1f, -1f, 65504f, 65519.99f, 65520f, 1e-8f, 6e-8f, 3e-5f,
                Float.MIN_VALUE, Float.MAX_VALUE, -Float.MAX_VALUE, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY,
                Float.NaN, (float) Math.PI, 1.00390625f, 1.01171875f, 1.0078125f, 1.0234375f, 3.3895314e38f));
        // exact bfloat16 ties (low half 0x8000) with even and odd kept halves
        v.add(Float.intBitsToFloat(0x3F808000));
        v.add(Float.intBitsToFloat(0x3F818000));
        v.add(Float.intBitsToFloat(0xBF818000));
        v.add(Float.intBitsToFloat(0x7F7F8000)); // rounds to infinity
        SplittableRandom r = new SplittableRandom(7);
        for (int i = 0; i < 2000; i++) v.add(Float.intBitsToFloat(r.nextInt()));
        float[] out = new float[v.size()];
        for (int i = 0; i < out.length; i++) out[i] = v.get(i);
        return out;
    }

    /** bfloat16 by comparing the two neighbours' distances in double (exact): a different route to the same rounding. */
    private static short bf16ByDistance(float f) {
        int bits = Float.floatToRawIntBits(f);
        if (Float.isNaN(f)) return (short) ((bits >>> 16) | 0x40);
        int down = bits & 0xFFFF0000;
        if (down == bits) return (short) (bits >>> 16);
        int up = down + 0x10000; // next bfloat16 away from zero (may be infinity)
        double dDown = Math.abs((double) f - Float.intBitsToFloat(down));
        double upValue = (up & 0x7F800000) == 0x7F800000 && (up & 0x007FFFFF) == 0
                ? Math.copySign(Math.scalb(1.0, 128), f) // infinity rounds as if the exponent range went on
                : Float.intBitsToFloat(up);
        double dUp = Math.abs(upValue - f);
        if (dDown < dUp) return (short) (down >>> 16);
        if (dUp < dDown) return (short) (up >>> 16);
        return (short) (((down >>> 16) & 1) == 0 ? down >>> 16 : up >>> 16);
    }

    @Test
    void f16AndBf16AreRoundedToNearestEven() throws IOException {
        float[] values = trickyValues();
        Path out = dir.resolve("round.safetensors");
        RowSource src = RowSource.of(values, 1, values.length);
        DequantizedExport.write(List.of(new DequantizedTensor("h", new long[] {values.length}, FloatFormat.F16, src),
                new DequantizedTensor("b", new long[] {values.length}, FloatFormat.BF16, src),
                new DequantizedTensor("f", new long[] {values.length}, FloatFormat.F32, src)),
                Map.of(), out, List.of(), ProgressMonitor.NONE);
        try (Model m = SafetensorsReader.open(out)) {
            assertEquals(Map.of("format", "pt"), m.metadata().get("__metadata__"));
            TensorInfo h = m.tensor("h").orElseThrow();
            TensorInfo b = m.tensor("b").orElseThrow();
            TensorInfo f = m.tensor("f").orElseThrow();
            assertEquals(DType.F16, h.dtype());
            assertEquals(DType.BF16, b.dtype());
            for (int i = 0; i < values.length; i++) {
                assertEquals(Float.floatToFloat16(values[i]), h.data().getAtIndex(Layouts.I16, i), "F16 of " + values[i]);
                assertEquals(bf16ByDistance(values[i]), b.data().getAtIndex(Layouts.I16, i), "BF16 of " + values[i]);
                assertEquals(Float.floatToRawIntBits(values[i]), f.data().getAtIndex(Layouts.I32, i), "F32 of " + values[i]);
            }
            assertEquals((short) 0x3F80, FloatFormat.toBfloat16(Float.intBitsToFloat(0x3F808000)), "tie to even, down");
            assertEquals((short) 0x3F82, FloatFormat.toBfloat16(Float.intBitsToFloat(0x3F818000)), "tie to even, up");
            assertEquals((short) 0x7F80, FloatFormat.toBfloat16(Float.intBitsToFloat(0x7F7F8000)), "overflow to infinity");
        }
    }

    /** llama.cpp's convert_hf_to_gguf.py permute, written as its reshape/swapaxes: GGUF row of HF row. */
    private static long[] convertPermute(long rows, long heads) {
        long half = rows / heads / 2;
        long[] ggufRowOfHf = new long[(int) rows];
        // reshape(n_head, 2, half, ...) .swapaxes(1, 2) -> (n_head, half, 2, ...) then flattened
        for (long h = 0; h < heads; h++) {
            for (long a = 0; a < 2; a++) {
                for (long j = 0; j < half; j++) {
                    long hfRow = (h * 2 + a) * half + j;
                    long ggufRow = (h * half + j) * 2 + a;
                    ggufRowOfHf[(int) hfRow] = ggufRow;
                }
            }
        }
        return ggufRowOfHf;
    }

    @Test
    void storiesLlamaExportsWithHfNamesShapesAndUnpermutedAttention() throws IOException {
        exportAndCompare(SharedFiles.file("models/stories260K.gguf"), FloatFormat.F32);
    }

    /** A K-quant model: block types decode row by row, permuted rows keep their own blocks. */
    @Test
    void quantizedLlamaExportsDequantizedToF16() throws IOException {
        exportAndCompare(SharedFiles.file("expected/llama-quantize-outputs/dev-Q4_K_M.gguf"), FloatFormat.F16);
    }

    private void exportAndCompare(Path ggufFile, FloatFormat format) throws IOException {
        Path out = dir.resolve("hf.safetensors");
        try (Model gguf = GgufReader.open(ggufFile)) {
            LlamaGgufToHf.Plan plan = LlamaGgufToHf.plan(gguf, format);
            DequantizedExport.write(plan.tensors(), Map.of(), out, List.of(ggufFile), ProgressMonitor.NONE);
            long heads = ((Number) gguf.metadata().get("llama.attention.head_count")).longValue();
            long kvHeads = ((Number) gguf.metadata().get("llama.attention.head_count_kv")).longValue();
            try (Model hf = SafetensorsReader.open(out)) {
                int compared = 0;
                for (TensorInfo g : gguf.tensors()) {
                    Optional<String> name = LlamaGgufToHf.hfName(g.name());
                    if (name.isEmpty()) {
                        assertTrue(plan.skipped().contains(g.name()), g.name());
                        continue;
                    }
                    TensorInfo h = hf.tensor(name.get()).orElseThrow(() -> new AssertionError("missing " + name.get()));
                    long[] ne = g.shape().dims();
                    long[] dims = h.shape().dims();
                    assertEquals(ne.length, dims.length, g.name());
                    for (int d = 0; d < ne.length; d++) assertEquals(ne[d], dims[ne.length - 1 - d], g.name());
                    assertEquals(format.dtype().dtype(), h.dtype());

                    float[] want = Decoders.decodeAll(g);
                    float[] got = Decoders.decodeAll(h);
                    long rowLength = g.shape().rowLength();
                    long rows = g.shape().rows();
                    boolean q = g.name().contains(".attn_q.");
                    boolean k = g.name().contains(".attn_k.");
                    long[] ggufRowOfHf = q || k ? convertPermute(rows, q ? heads : kvHeads) : null;
                    for (long r = 0; r < rows; r++) {
                        long src = ggufRowOfHf == null ? r : ggufRowOfHf[(int) r];
                        for (long c = 0; c < rowLength; c++) {
                            float expected = want[(int) (src * rowLength + c)];
                            if (format == FloatFormat.F16) expected = Float.float16ToFloat(Float.floatToFloat16(expected));
                            assertEquals(expected, got[(int) (r * rowLength + c)], 0f, h.name() + " row " + r + " col " + c);
                        }
                    }
                    compared++;
                }
                assertEquals(compared, hf.tensors().size());
                assertTrue(hf.tensor("model.layers.0.self_attn.q_proj.weight").isPresent());
                assertTrue(hf.tensor("model.layers.0.mlp.gate_proj.weight").isPresent());
                assertTrue(hf.tensor("model.embed_tokens.weight").isPresent());
                assertTrue(hf.tensor("model.norm.weight").isPresent());
                assertEquals(gguf.tensor("output.weight").isPresent(), hf.tensor("lm_head.weight").isPresent());
            }
        }
    }

    @Test
    void namesMapLikeTransformersLlama() {
        assertEquals(Optional.of("model.embed_tokens.weight"), LlamaGgufToHf.hfName("token_embd.weight"));
        assertEquals(Optional.of("model.norm.weight"), LlamaGgufToHf.hfName("output_norm.weight"));
        assertEquals(Optional.of("lm_head.weight"), LlamaGgufToHf.hfName("output.weight"));
        assertEquals(Optional.of("model.layers.12.self_attn.q_proj.weight"), LlamaGgufToHf.hfName("blk.12.attn_q.weight"));
        assertEquals(Optional.of("model.layers.0.self_attn.k_proj.bias"), LlamaGgufToHf.hfName("blk.0.attn_k.bias"));
        assertEquals(Optional.of("model.layers.3.self_attn.o_proj.weight"), LlamaGgufToHf.hfName("blk.3.attn_output.weight"));
        assertEquals(Optional.of("model.layers.3.input_layernorm.weight"), LlamaGgufToHf.hfName("blk.3.attn_norm.weight"));
        assertEquals(Optional.of("model.layers.3.post_attention_layernorm.weight"), LlamaGgufToHf.hfName("blk.3.ffn_norm.weight"));
        assertEquals(Optional.of("model.layers.3.mlp.gate_proj.weight"), LlamaGgufToHf.hfName("blk.3.ffn_gate.weight"));
        assertEquals(Optional.of("model.layers.3.mlp.up_proj.weight"), LlamaGgufToHf.hfName("blk.3.ffn_up.weight"));
        assertEquals(Optional.of("model.layers.3.mlp.down_proj.weight"), LlamaGgufToHf.hfName("blk.3.ffn_down.weight"));
        assertEquals(Optional.empty(), LlamaGgufToHf.hfName("rope_freqs.weight"));
    }

    /** Head size 4, two heads: HF rows [h0: a0 a1 b0 b1 | h1: ...] come from GGUF rows [a0 b0 a1 b1] per head. */
    @Test
    void unpermuteOfASmallProjectionByHand() {
        var map = LlamaGgufToHf.unpermuteRope(8, 2);
        long[] got = new long[8];
        for (int r = 0; r < 8; r++) got[r] = map.applyAsLong(r);
        assertArrayEquals(new long[] {0, 2, 1, 3, 4, 6, 5, 7}, got);
        assertArrayEquals(convertPermute(8, 2), got);
    }
}
