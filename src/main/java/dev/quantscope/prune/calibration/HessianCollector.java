package dev.quantscope.prune.calibration;

import dev.quantscope.engine.llama.MatmulObserver;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Accumulates H = XᵀX of the inputs of the weight tensors it is asked for, as the engine runs: what SparseGPT prunes
 * with, and (its diagonal) what Wanda weighs |W| by. Matrices that multiply the same input (q, k, v; gate, up; see
 * {@link BlockMatrix}) share one accumulator: the first of them to arrive is the one whose inputs are added, and
 * its siblings' calls are only checked to carry the very same vector, so a block holds four Hessians, not seven.
 *
 * <p>Tokens are gathered in a small batch and added to the upper triangle together, row of H by row: a row stays in
 * cache while every token of the batch adds to it, and the inner loop runs over contiguous inputs, which the JIT
 * vectorises (about four times the speed of one dot product per entry over the batch's tokens, measured at 1,024
 * inputs). Called on the engine's thread only; not thread-safe.
 */
public final class HessianCollector implements MatmulObserver {
    /** Tokens gathered before they are added to H. */
    private static final int BATCH = 32;

    private final Predicate<String> wanted;
    /** Every tensor name seen, with its accumulator, or {@link #IGNORED} when it was not asked for. */
    private final Map<String, Accumulator> byTensor = new HashMap<>();
    private final Map<String, Accumulator> byInput = new LinkedHashMap<>();
    private final List<String> collected = new ArrayList<>();

    private static final Accumulator IGNORED = new Accumulator("", 0);

    /** Collects the tensors whose names {@code wanted} accepts. */
    public HessianCollector(Predicate<String> wanted) {
        this.wanted = wanted;
    }

    @Override
    public void onInput(String tensorName, float[] x, int n) {
        Accumulator a = byTensor.get(tensorName);
        if (a == null) a = register(tensorName, n);
        if (a != IGNORED) a.offer(tensorName, x, n);
    }

    private Accumulator register(String tensorName, int n) {
        if (!wanted.test(tensorName)) {
            byTensor.put(tensorName, IGNORED);
            return IGNORED;
        }
        String key = BlockMatrix.locate(tensorName).map(BlockMatrix.Location::inputKey).orElse(tensorName);
        Accumulator a = byInput.computeIfAbsent(key, k -> new Accumulator(tensorName, n));
        byTensor.put(tensorName, a);
        collected.add(tensorName);
        return a;
    }

    /** The tensors seen so far that were asked for, in the order they first arrived. */
    public List<String> tensorNames() { return List.copyOf(collected); }

    /** Distinct inputs held: at most one per group of matrices that share an input. */
    public int distinctInputs() { return byInput.size(); }

    /**
     * H of {@code tensorName}'s input, if the tensor was asked for and seen: a full symmetric copy, the same one for
     * the siblings that share the input (until more tokens arrive), so not to be modified.
     */
    public Optional<Hessian> hessian(String tensorName) {
        Accumulator a = byTensor.get(tensorName);
        return a == null || a == IGNORED ? Optional.empty() : Optional.of(a.hessian());
    }

    /** Sums XᵀX of one input over the tokens given to its first tensor. */
    private static final class Accumulator {
        private final String owner;
        private final int n;
        private final double[] upper;
        /** The batch's tokens, one after the other. */
        private final float[] batch;
        private int inBatch;
        private long tokens;
        private float[] lastInput;
        /** The last Hessian handed out, while no token has arrived since: siblings share it. */
        private Hessian handedOut;

        Accumulator(String owner, int n) {
            this.owner = owner;
            this.n = n;
            this.upper = new double[n * n];
            this.batch = new float[n * BATCH];
        }

        void offer(String tensorName, float[] x, int size) {
            if (size != n) {
                throw new IllegalStateException(tensorName + " received inputs of " + size + " values, expected " + n);
            }
            if (!owner.equals(tensorName)) {
                // a sibling: its input is the owner's of this token, already added
                if (x != lastInput) {
                    throw new IllegalStateException(tensorName + " does not share the input of " + owner);
                }
                return;
            }
            lastInput = x;
            handedOut = null;
            System.arraycopy(x, 0, batch, inBatch * n, n);
            tokens++;
            if (++inBatch == BATCH) flush();
        }

        private void flush() {
            int b = inBatch;
            for (int i = 0; i < n; i++) {
                int row = i * n;
                for (int t = 0; t < b; t++) {
                    int xt = t * n;
                    double xi = batch[xt + i];
                    if (xi == 0) continue;
                    for (int j = i; j < n; j++) upper[row + j] += xi * batch[xt + j];
                }
            }
            inBatch = 0;
        }

        Hessian hessian() {
            if (handedOut != null) return handedOut;
            if (inBatch > 0) flush();
            double[] h = new double[n * n];
            for (int i = 0; i < n; i++) {
                for (int j = i; j < n; j++) {
                    h[i * n + j] = upper[i * n + j];
                    h[j * n + i] = upper[i * n + j];
                }
            }
            handedOut = new Hessian(n, h, tokens);
            return handedOut;
        }
    }
}
