package dev.quantscope.prune;

import dev.quantscope.engine.llama.LlamaConfig;
import dev.quantscope.format.Model;
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
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * Pruning a Llama-family model (GGUF or Hugging Face names; F32, F16 or BF16 weights) from the activations of a
 * calibration text, as SparseGPT and Wanda run it: block by block, each block's matrices pruned with statistics
 * (XᵀX of their inputs; Wanda uses its diagonal) of the activations that the already pruned blocks before it produce,
 * so that every block sees, and SparseGPT corrects for, the error of those before it. Only the seven linear matrices
 * of the blocks are ever pruned (of those, the ones {@code tensors} accepts); embeddings, norms and the output head
 * stay as they are. What happens to one matrix is the {@link MatrixPruner}'s: SparseGPT's update, Wanda's mask, or a
 * mix chosen per tensor.
 *
 * <p>The engine reads every weight from its tensor's memory in the stored dtype, so the tensors to prune are copied
 * ({@link WritableCopies}), the engine runs over a model made of those copies, and a block's pruned weights are
 * written back (in the tensor's dtype) before the calibration text runs again for the next block.
 *
 * @param tensors which block matrices to prune, by name
 * @param pruner  prunes one matrix from its inputs' Hessian
 * @param threads the engine's threads for the calibration passes
 */
public record LayerwisePruning(Predicate<String> tensors, MatrixPruner pruner, int threads) {

    /** What happens to one matrix, given the Hessian XᵀX of its inputs over the calibration text. */
    public interface MatrixPruner {
        /** Why {@code t} cannot be pruned, if it cannot: asked of every chosen tensor before any work starts. */
        Optional<String> problem(TensorInfo t);

        /** Prunes {@code w} (the tensor's values, rows × row length) in place. */
        void prune(TensorInfo t, float[] w, Hessian h);
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
            pruner.problem(t).ifPresent(p -> {
                throw new IllegalArgumentException(p);
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
        pruner.prune(t, w, h);
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
