package dev.quantscope.distill.llama;

import dev.quantscope.train.optim.Parameter;

import java.util.ArrayList;
import java.util.List;

/**
 * The pruned weights of a student: in every block matrix, the positions that are exactly zero. Training keeps them
 * zero (their gradient is cleared before a step and the values set to zero again after it, since Adam's weight decay
 * and moments could otherwise move them), so the recovered model has the sparsity, and the N:M pattern, it came with.
 */
public final class ZeroMask {
    private record Zeros(Parameter parameter, int[] positions) {}

    private final List<Zeros> zeros;

    private ZeroMask(List<Zeros> zeros) {
        this.zeros = List.copyOf(zeros);
    }

    /** The zeros of every matrix of a block ({@code blk.*} parameters that decay, as only matrices do). */
    public static ZeroMask of(List<Parameter> parameters) {
        List<Zeros> list = new ArrayList<>();
        for (Parameter p : parameters) {
            if (!p.name().startsWith("blk.") || !p.decays()) continue;
            float[] v = p.values();
            int count = 0;
            for (float f : v) if (f == 0f) count++;
            if (count == 0) continue;
            int[] at = new int[count];
            for (int i = 0, j = 0; i < v.length; i++) if (v[i] == 0f) at[j++] = i;
            list.add(new Zeros(p, at));
        }
        return new ZeroMask(list);
    }

    /** Weights held at zero. */
    public long count() {
        return zeros.stream().mapToLong(z -> z.positions.length).sum();
    }

    public void clearGradients() {
        for (Zeros z : zeros) for (int i : z.positions) z.parameter.gradients()[i] = 0f;
    }

    public void restore() {
        for (Zeros z : zeros) for (int i : z.positions) z.parameter.values()[i] = 0f;
    }

    /** Whether every masked weight is zero now. */
    public boolean holds() {
        for (Zeros z : zeros) for (int i : z.positions) if (z.parameter.values()[i] != 0f) return false;
        return true;
    }
}
