package dev.quantscope.train.nn;

import dev.quantscope.engine.kernel.RowParallel;

/**
 * What every layer of one network shares for a step: the pool that splits its work, whether the matrix products go
 * through the vector kernel or the scalar reference, and the step number that seeds dropout.
 */
public final class Context {
    private final RowParallel pool;
    private final boolean vector;
    private final long seed;
    private long step;

    public Context(RowParallel pool, boolean vector, long seed) {
        this.pool = pool;
        this.vector = vector;
        this.seed = seed;
    }

    public RowParallel pool() {
        return pool;
    }

    public boolean vector() {
        return vector;
    }

    /** A seed for one layer's random draws at this step: the same for the same run seed, step and layer. */
    public long seedFor(int layer) {
        long z = seed + 0x9E3779B97F4A7C15L * (step + 1) + 0xBF58476D1CE4E5B9L * (layer + 1);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    public void step(long step) {
        this.step = step;
    }
}
