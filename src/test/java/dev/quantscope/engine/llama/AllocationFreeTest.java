package dev.quantscope.engine.llama;

import com.sun.management.ThreadMXBean;
import dev.quantscope.format.Model;
import dev.quantscope.format.ModelOpener;
import dev.quantscope.testing.SharedFiles;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.management.ManagementFactory;

import static org.junit.jupiter.api.Assertions.assertTrue;

class AllocationFreeTest {

    @ParameterizedTest
    @EnumSource(KvCacheType.class)
    void theTokenLoopAllocatesNothing(KvCacheType cacheType) throws Exception {
        ThreadMXBean mx = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        try (Model model = ModelOpener.open(SharedFiles.file("models/stories260K.gguf"));
             LlamaEngine engine = new LlamaEngine(model, 256, 1, cacheType)) {
            Sampler sampler = Sampler.greedy(engine.config().vocab());
            float[] logits = engine.forward(1, 0);
            for (int p = 1; p < 100; p++) logits = engine.forward(Sampler.argmax(logits), p); // warm-up: JIT
            long tid = Thread.currentThread().threadId();
            long before = mx.getThreadAllocatedBytes(tid);
            for (int p = 100; p < 200; p++) logits = engine.forward(sampler.sample(logits), p);
            long allocated = mx.getThreadAllocatedBytes(tid) - before;
            // 100 tokens: a per-token array or lambda would already be several kB.
            assertTrue(allocated < 2048, allocated + " bytes allocated in 100 tokens");
        }
    }
}
