package dev.quantscope.prune.sparsegpt;

import dev.quantscope.engine.llama.LlamaConfig;
import dev.quantscope.format.Model;
import dev.quantscope.prune.SparsityPattern;
import dev.quantscope.prune.calibration.BlockMatrix;
import dev.quantscope.prune.calibration.CalibrationChunks;
import dev.quantscope.prune.calibration.CalibrationPass;
import dev.quantscope.prune.calibration.Hessian;
import dev.quantscope.prune.calibration.HessianCollector;
import dev.quantscope.task.ProgressMonitor;
import dev.quantscope.task.ProgressSlice;
import dev.quantscope.tensor.TensorInfo;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * SparseGPT over a whole Llama-family model (GGUF or Hugging Face names; F32, F16 or BF16 weights), as the
 * reference runs it: block by block, each block's matrices pruned with Hessians of the activations that the already
 * pruned blocks before it produce, so that every block corrects for the error of those before it. Only the seven
 * linear matrices of the blocks are ever pruned (of those, the ones {@code tensors} accepts); embeddings, norms and
 * the output head stay as they are.
 *
 * <p>The engine reads every weight from its tensor's memory in the stored dtype, so the tensors to prune are copied
 * into memory the result owns, the engine runs over a model made of those copies, and a block's pruned weights are
 * written back (in the tensor's dtype) before the calibration text runs again for the next block.
 *
 * @param pattern what every pruned tensor becomes
 * @param tensors which block matrices to prune, by name ({@link #ALL_BLOCK_MATRICES} for all)
 * @param solver  the per-matrix SparseGPT settings (its threads share the rows)
 * @param threads the engine's threads for the calibration passes
 */
public record LlamaSparseGpt(SparsityPattern pattern, Predicate<String> tensors, SparseGpt solver, int threads) {

    /** The default choice: q, k, v, o, gate, up and down of every block. */
    public static final Predicate<String> ALL_BLOCK_MATRICES = BlockMatrix::isBlockMatrix;

    /** Every block matrix at {@code pattern}, with the reference's SparseGPT settings, on {@code threads} threads. */
    public static LlamaSparseGpt of(SparsityPattern pattern, int threads) {
        return new LlamaSparseGpt(pattern, ALL_BLOCK_MATRICES, SparseGpt.withThreads(threads), threads);
    }

    /**
     * Prunes block after block. Progress: one unit per block and calibration window.
     *
     * @throws IllegalArgumentException           when the model is not a Llama, a tensor cannot take the pattern or
     *                                            is not stored as F32, F16 or BF16
     * @throws java.util.concurrent.CancellationException when {@code monitor} is cancelled
     */
    public PrunedModel layerByLayer(Model dense, CalibrationChunks chunks, ProgressMonitor monitor) {
        Map<Integer, List<TensorInfo>> byLayer = targets(dense);
        WritableCopies copies = copiesOf(dense, byLayer);
        try {
            long total = (long) byLayer.size() * chunks.size();
            long done = 0;
            for (List<TensorInfo> block : byLayer.values()) {
                Set<String> names = names(block);
                HessianCollector hessians = CalibrationPass.collect(copies.model(), chunks, names::contains, threads,
                        new ProgressSlice(monitor, done, chunks.size(), total));
                for (TensorInfo t : block) prune(copies, t, hessians, monitor);
                done += chunks.size();
            }
            return result(copies, byLayer);
        } catch (RuntimeException | Error e) {
            copies.model().close();
            throw e;
        }
    }

    /**
     * Prunes every matrix with Hessians of the dense model's activations, from one calibration pass: the comparison
     * that shows what the sequential pass gains. Progress: one unit per calibration window.
     */
    public PrunedModel oneShot(Model dense, CalibrationChunks chunks, ProgressMonitor monitor) {
        Map<Integer, List<TensorInfo>> byLayer = targets(dense);
        WritableCopies copies = copiesOf(dense, byLayer);
        try {
            Set<String> names = new LinkedHashSet<>();
            for (List<TensorInfo> block : byLayer.values()) names.addAll(names(block));
            HessianCollector hessians = CalibrationPass.collect(copies.model(), chunks, names::contains, threads, monitor);
            for (List<TensorInfo> block : byLayer.values()) {
                for (TensorInfo t : block) prune(copies, t, hessians, monitor);
            }
            return result(copies, byLayer);
        } catch (RuntimeException | Error e) {
            copies.model().close();
            throw e;
        }
    }

    /** The block matrices to prune, by layer in order; checked against the pattern before any work starts. */
    private Map<Integer, List<TensorInfo>> targets(Model dense) {
        LlamaConfig.of(dense); // refuses what the engine cannot run, before any copying
        Map<Integer, List<TensorInfo>> byLayer = new TreeMap<>();
        for (TensorInfo t : dense.tensors()) {
            var location = BlockMatrix.locate(t.name());
            if (location.isEmpty() || !tensors.test(t.name())) continue;
            pattern.problem(t.shape().rowLength()).ifPresent(p -> {
                throw new IllegalArgumentException(t.name() + " cannot be pruned to " + pattern.label() + ": " + p);
            });
            byLayer.computeIfAbsent(location.get().layer(), l -> new ArrayList<>()).add(t);
        }
        if (byLayer.isEmpty()) throw new IllegalArgumentException("no block matrix of the model was chosen for pruning");
        return byLayer;
    }

    private static WritableCopies copiesOf(Model dense, Map<Integer, List<TensorInfo>> byLayer) {
        Set<String> all = new LinkedHashSet<>();
        for (List<TensorInfo> block : byLayer.values()) all.addAll(names(block));
        return WritableCopies.of(dense, all);
    }

    private void prune(WritableCopies copies, TensorInfo t, HessianCollector hessians, ProgressMonitor monitor) {
        monitor.checkCancelled();
        Hessian h = hessians.hessian(t.name()).orElseThrow(
                () -> new IllegalStateException("the calibration pass never reached " + t.name()));
        float[] w = copies.read(t.name());
        solver.prune(w, Math.toIntExact(t.shape().rows()), Math.toIntExact(t.shape().rowLength()), h.values(), pattern);
        copies.write(t.name(), w);
    }

    private static PrunedModel result(WritableCopies copies, Map<Integer, List<TensorInfo>> byLayer) {
        List<TensorSparsity> sparsity = new ArrayList<>();
        for (List<TensorInfo> block : byLayer.values()) {
            for (TensorInfo t : block) {
                long zeros = 0;
                // read back from the copy: what the model now holds, after the dtype's rounding
                for (float f : copies.read(t.name())) if (f == 0) zeros++;
                sparsity.add(new TensorSparsity(t.name(), zeros, t.parameters()));
            }
        }
        return new PrunedModel(copies.model(), sparsity);
    }

    private static Set<String> names(List<TensorInfo> block) {
        Set<String> names = new LinkedHashSet<>();
        for (TensorInfo t : block) names.add(t.name());
        return names;
    }
}
