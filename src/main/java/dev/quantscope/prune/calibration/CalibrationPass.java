package dev.quantscope.prune.calibration;

import dev.quantscope.engine.llama.HiddenStateObserver;
import dev.quantscope.engine.llama.LlamaEngine;
import dev.quantscope.engine.llama.MatmulObserver;
import dev.quantscope.format.Model;
import dev.quantscope.task.ProgressMonitor;

import java.util.function.Predicate;

/** One run of the calibration windows through a model, for the statistics pruning needs (Hessians, energies, Block Influence). */
public final class CalibrationPass {
    private CalibrationPass() {}

    /**
     * Runs every window of {@code chunks} through a new engine over {@code model} (a new one, so that it reads the
     * weights as they are now) and returns what was collected. Reports one unit per window to {@code monitor}.
     */
    public static HessianCollector collect(Model model, CalibrationChunks chunks, Predicate<String> tensors,
                                           int threads, ProgressMonitor monitor) {
        HessianCollector collector = new HessianCollector(tensors);
        run(model, chunks, collector, null, threads, monitor);
        return collector;
    }

    /**
     * Runs every window of {@code chunks} through a new engine over {@code model}, showing the engine's matmul inputs
     * to {@code inputs} and, when not null, its residual stream to {@code hidden}: the one calibration run every
     * pruning method's statistics come from. Reports one unit per window to {@code monitor}; cancellable between
     * windows.
     */
    public static void run(Model model, CalibrationChunks chunks, MatmulObserver inputs, HiddenStateObserver hidden,
                           int threads, ProgressMonitor monitor) {
        LlamaEngine.LogitsConsumer none = (i, logits) -> {};
        try (LlamaEngine engine = new LlamaEngine(model, chunks.longest(), threads)) {
            engine.setMatmulObserver(inputs);
            if (hidden != null) engine.setHiddenStateObserver(hidden);
            int done = 0;
            for (int[] window : chunks.windows()) {
                monitor.checkCancelled();
                // no logits are asked for: the output head is neither run nor observed
                engine.forwardBatch(window, 0, window.length, 0, window.length, none);
                monitor.progress(++done, chunks.size());
            }
        }
    }
}
