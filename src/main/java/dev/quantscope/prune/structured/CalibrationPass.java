package dev.quantscope.prune.structured;

import dev.quantscope.engine.llama.HiddenStateObserver;
import dev.quantscope.engine.llama.LlamaConfig;
import dev.quantscope.engine.llama.MatmulObserver;
import dev.quantscope.format.Model;
import dev.quantscope.prune.calibration.CalibrationChunks;
import dev.quantscope.task.ProgressMonitor;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * Runs a calibration text through a Llama (the one calibration run, {@link
 * dev.quantscope.prune.calibration.CalibrationPass}, in windows that start with BOS) and collects a {@link Calibration}: ffn_down's and attn_output's inputs through the engine's
 * {@link MatmulObserver}, the residual stream through its {@link HiddenStateObserver}.
 */
public final class CalibrationPass {
    private CalibrationPass() {}

    /**
     * @param contextSize tokens per window, BOS included
     * @param maxTokens   at most this many tokens of the text are used
     * @param monitor     progress in tokens; cancellation between windows
     */
    public static Calibration run(Model model, String text, int contextSize, int maxTokens, int threads,
                                  ProgressMonitor monitor) throws IOException {
        if (contextSize < 2) throw new IllegalArgumentException("A calibration window must hold at least 2 tokens.");
        CalibrationChunks chunks = CalibrationChunks.ofText(model, text, contextSize, maxTokens);
        Collector collector = new Collector(LlamaConfig.of(model), chunks.longest());
        dev.quantscope.prune.calibration.CalibrationPass.run(model, chunks, collector, collector, threads, monitor);
        return collector.result();
    }

    /** Sums what the engine shows it; one per pass, on the engine's thread. */
    private static final class Collector implements MatmulObserver, HiddenStateObserver {
        private final int layers;
        private final double[][] ffn;
        private final double[][] attn;
        private final Map<String, double[]> energyByTensor = new HashMap<>();
        /** Per token of the batch, the hidden state entering the block seen last. */
        private final float[][] previous;
        private final double[] cosineSum;
        private long tokens;

        Collector(LlamaConfig c, int maxBatch) {
            layers = c.layers();
            ffn = new double[layers][c.ffnDim()];
            attn = new double[layers][c.qDim()];
            for (int l = 0; l < layers; l++) {
                energyByTensor.put("blk." + l + ".ffn_down.weight", ffn[l]);
                energyByTensor.put("blk." + l + ".attn_output.weight", attn[l]);
            }
            previous = new float[maxBatch][c.dim()];
            cosineSum = new double[layers];
        }

        @Override
        public void onInput(String tensorName, float[] x, int n) {
            double[] energy = energyByTensor.get(tensorName);
            if (energy == null) return;
            for (int i = 0; i < n; i++) energy[i] += (double) x[i] * x[i];
        }

        @Override
        public void onHiddenState(int block, int token, float[] x, int n) {
            if (block == 0) tokens++;
            else cosineSum[block - 1] += cosine(previous[token], x, n);
            System.arraycopy(x, 0, previous[token], 0, n);
        }

        Calibration result() {
            double[] influence = new double[layers];
            for (int l = 0; l < layers; l++) influence[l] = 1 - cosineSum[l] / tokens;
            return new Calibration(tokens, ffn, attn, influence);
        }

        private static double cosine(float[] a, float[] b, int n) {
            double dot = 0, aa = 0, bb = 0;
            for (int i = 0; i < n; i++) {
                dot += (double) a[i] * b[i];
                aa += (double) a[i] * a[i];
                bb += (double) b[i] * b[i];
            }
            return aa == 0 || bb == 0 ? 0 : dot / Math.sqrt(aa * bb);
        }
    }
}
