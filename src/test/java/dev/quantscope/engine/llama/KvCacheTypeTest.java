package dev.quantscope.engine.llama;

import dev.quantscope.engine.tokenizer.Tokenizers;
import dev.quantscope.eval.Perplexity;
import dev.quantscope.eval.PerplexityResult;
import dev.quantscope.format.Model;
import dev.quantscope.format.ModelOpener;
import dev.quantscope.task.ProgressMonitor;
import dev.quantscope.testing.SharedFiles;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class KvCacheTypeTest {

    @Test
    void f16CacheStoresHalfPrecisionRoundedValues() {
        KvCache cache = KvCache.create(KvCacheType.F16, 2, 3, 4, EngineBuffers.HEAP);
        SplittableRandom rnd = new SplittableRandom(5);
        float[] k = new float[4], v = new float[4];
        for (int i = 0; i < 4; i++) {
            k[i] = (float) rnd.nextGaussian();
            v[i] = (float) rnd.nextGaussian() * 1000;
        }
        cache.store(1, 8, k, v, 4);
        for (int i = 0; i < 4; i++) {
            float[] unit = new float[4];
            unit[i] = 1f;
            float key = cache.dotKey(1, 8, unit, 0, 4);
            assertEquals(Float.float16ToFloat(Float.floatToFloat16(k[i])), key);
            assertNotEquals(k[i], key, "a Gaussian float is not a half");
            float[] out = new float[4];
            cache.addValue(1, 8, 1f, out, 0, 4);
            assertEquals(Float.float16ToFloat(Float.floatToFloat16(v[i])), out[i]);
        }
        float[] q = k.clone();
        cache.roundQuery(q);
        for (int i = 0; i < 4; i++) assertEquals(Float.float16ToFloat(Float.floatToFloat16(k[i])), q[i], "query rounded as ggml's F16 dot");
        KvCache exact = KvCache.create(KvCacheType.F32, 2, 3, 4, EngineBuffers.HEAP);
        q = k.clone();
        exact.roundQuery(q);
        assertArrayEquals(k, q, "an F32 cache leaves the query alone");
        exact.store(0, 0, k, v, 4);
        assertEquals(k[0] * 2 + k[3], exact.dotKey(0, 0, new float[] {2, 0, 0, 1}, 0, 4), 1e-6);
    }

    @Test
    void parsesTheCommandLineNames() {
        assertEquals(KvCacheType.F16, KvCacheType.parse("f16"));
        assertEquals(KvCacheType.F32, KvCacheType.parse("F32"));
        assertThrows(IllegalArgumentException.class, () -> KvCacheType.parse("q8_0"));
    }

    /** stories260K over the first 40,000 bytes of tinyshakespeare, windows of 256, as llama-perplexity runs it. */
    private static PerplexityResult ppl(int[] tokens, LlamaEngine engine) {
        return Perplexity.compute(engine, tokens, 256, 1, ProgressMonitor.NONE);
    }

    @Test
    void f16CacheChangesPerplexitySlightlyAndF32StaysTheDefault() throws Exception {
        byte[] all = Files.readAllBytes(SharedFiles.file("data/text/tinyshakespeare.txt"));
        String text = new String(Arrays.copyOf(all, 40_000), StandardCharsets.UTF_8);
        try (Model model = ModelOpener.open(SharedFiles.file("models/stories260K.gguf"));
             LlamaEngine byDefault = new LlamaEngine(model, 256, 2);
             LlamaEngine f16 = new LlamaEngine(model, 256, 2, KvCacheType.F16)) {
            assertEquals(KvCacheType.F32, byDefault.kvCacheType());
            int[] tokens = Tokenizers.forModel(model).encode(text, true);
            PerplexityResult exact = ppl(tokens, byDefault);
            PerplexityResult rounded = ppl(tokens, f16);
            System.out.printf("stories260K PPL: F32 cache %.4f, F16 cache %.4f%n", exact.ppl(), rounded.ppl());
            assertEquals(98.6170, exact.ppl(), 98.6170 * 0.001, "llama-perplexity gives 98.6170");
            assertNotEquals(exact.ppl(), rounded.ppl(), "rounding keys and values to F16 must show");
            // half precision keeps 11 significant bits: the perplexity moves by far less than a percent
            assertEquals(exact.ppl(), rounded.ppl(), exact.ppl() * 0.002);
            assertEquals(98.6170, rounded.ppl(), 98.6170 * 0.002);
        }
    }
}
