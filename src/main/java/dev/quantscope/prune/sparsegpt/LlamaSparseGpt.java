package dev.quantscope.prune.sparsegpt;

import dev.quantscope.format.Model;
import dev.quantscope.prune.LayerwisePruning;
import dev.quantscope.prune.PrunedModel;
import dev.quantscope.prune.SparsityPattern;
import dev.quantscope.prune.calibration.BlockMatrix;
import dev.quantscope.prune.calibration.CalibrationChunks;
import dev.quantscope.prune.calibration.Hessian;
import dev.quantscope.task.ProgressMonitor;
import dev.quantscope.tensor.TensorInfo;

import java.util.Optional;
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
        return pass().layerByLayer(dense, chunks, monitor);
    }

    /**
     * Prunes every matrix with Hessians of the dense model's activations, from one calibration pass: the comparison
     * that shows what the sequential pass gains. Progress: one unit per calibration window.
     */
    public PrunedModel oneShot(Model dense, CalibrationChunks chunks, ProgressMonitor monitor) {
        return pass().oneShot(dense, chunks, monitor);
    }

    /** SparseGPT as the matrix step of the layer-wise pass. */
    public LayerwisePruning.MatrixPruner matrixPruner() {
        return new LayerwisePruning.MatrixPruner() {
            @Override
            public Optional<String> problem(TensorInfo t) {
                return pattern.problem(t.shape().rowLength())
                        .map(p -> t.name() + " cannot be pruned to " + pattern.label() + ": " + p);
            }

            @Override
            public void prune(TensorInfo t, float[] w, Hessian h) {
                solver.prune(w, Math.toIntExact(t.shape().rows()), Math.toIntExact(t.shape().rowLength()), h.values(),
                        pattern);
            }
        };
    }

    private LayerwisePruning pass() {
        return new LayerwisePruning(tensors, matrixPruner(), threads);
    }
}
