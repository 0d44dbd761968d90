package dev.quantscope.engine.llama;

import dev.quantscope.format.Model;
import dev.quantscope.format.ModelOpener;
import dev.quantscope.testing.SharedFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The token loop works in the buffers the engine took when it was built. Checked on the code, not with the JVM's
 * allocation counter: that counter reads whatever vectors C2 had not yet compiled away when it was read, which
 * depends on the machine's load (bench's JSON reports it, as {@code *_alloc_bytes_per_token}).
 */
class AllocationFreeTest {

    private static final int[] PROMPT = {1, 403, 407, 261, 378, 385, 300, 314, 293, 266, 291, 349};

    @ParameterizedTest
    @EnumSource(KvCacheType.class)
    void theTokenLoopAsksForNoBufferAfterSetup(KvCacheType cacheType) throws Exception {
        CountingBuffers buffers = new CountingBuffers();
        try (Model model = ModelOpener.open(SharedFiles.file("models/stories260K.gguf"));
             LlamaEngine engine = new LlamaEngine(model, 256, 2, 8, cacheType, buffers)) {
            int setup = buffers.requests();
            assertTrue(setup > 0, "the engine takes its buffers from the provider");
            Sampler sampler = new Sampler(engine.config().vocab(), 0.8f, 0.95f, 7);
            int[] next = new int[1];
            // a prompt longer than one batch, then generation: both paths of the loop
            engine.forwardBatch(PROMPT, 0, PROMPT.length, 0, 0, (i, logits) -> {
                assertTrue(buffers.handedOut(logits), "logits " + i + " are not one of the engine's buffers");
                next[0] = sampler.sample(logits);
            });
            for (int p = PROMPT.length; p < PROMPT.length + 100; p++) {
                float[] logits = engine.forward(next[0], p);
                assertTrue(buffers.handedOut(logits), "logits at " + p + " are not one of the engine's buffers");
                next[0] = sampler.sample(logits);
            }
            assertEquals(setup, buffers.requests(), "buffers asked for while tokens ran");
        }
    }

    @Test
    void noInstructionOnTheTokenLoopsPathCreatesAnObject() throws Exception {
        List<String> sites = AllocationSites.reachableFrom(LlamaEngine.class, "forward", "forwardBatch");
        assertEquals(List.of(), sites, "allocations on the token loop's path");
    }
}
