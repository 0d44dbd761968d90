package dev.quantscope.engine.kernel;

/** Work over the index range [start, end); run by {@link RowParallel} on disjoint ranges concurrently. */
@FunctionalInterface
public interface RangeTask {
    void run(int start, int end);
}
