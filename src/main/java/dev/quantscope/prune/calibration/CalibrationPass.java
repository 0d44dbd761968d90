package dev.quantscope.prune.calibration;

import dev.quantscope.engine.llama.LlamaEngine;
import dev.quantscope.format.Model;
import dev.quantscope.task.ProgressMonitor;

import java.util.function.Predicate;

/** One run of the calibration windows through a model, collecting the Hessians of the tensors asked for. */
public final class CalibrationPass {
    private CalibrationPass() {}

    /**
     * Runs every window of {@code chunks} through a new engine over {@code model} (a new one, so that it reads the
     * weights as they are now) and returns what was collected. Reports one unit per window to {@code monitor}.
     */
    public static HessianCollector collect(Model model, CalibrationChunks chunks, Predicate<String> tensors,
                                           int threads, ProgressMonitor monitor) {
        HessianCollector collector = new HessianCollector(tensors);
        LlamaEngine.LogitsConsumer none = (i, logits) -> {};
        try (LlamaEngine engine = new LlamaEngine(model, chunks.longest(), threads)) {
            engine.setMatmulObserver(collector);
            int done = 0;
            for (int[] window : chunks.windows()) {
                monitor.checkCancelled();
                // no logits are asked for: the output head is neither run nor observed
                engine.forwardBatch(window, 0, window.length, 0, window.length, none);
                monitor.progress(++done, chunks.size());
            }
        }
        return collector;
    }
}
