package dev.quantscope.stats;

import dev.quantscope.task.ProgressMonitor;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.RecursiveAction;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Runs one pass over a tensor's elements in fixed-size chunks on a fork/join pool. Each worker owns its buffers
 * and accumulators (nothing is shared while the pass runs) and pulls the next chunk index from a counter, so a
 * slow chunk never leaves other cores idle. The caller merges the workers' results afterwards.
 */
final class ChunkRunner {
    /** Work on one chunk: elements [first, first + count) of the tensor. */
    interface Worker {
        void process(long first, int count);
    }

    private final ForkJoinPool pool;
    private final int parallelism;

    ChunkRunner(ForkJoinPool pool) {
        this.pool = pool;
        this.parallelism = pool.getParallelism();
    }

    int parallelism() { return parallelism; }

    /**
     * Processes {@code elements} elements in chunks of {@code chunk} (a multiple of the dtype's block size) and
     * returns the workers that did it.
     *
     * @throws CancellationException when the monitor was cancelled; the partial results are discarded
     */
    <W extends Worker> List<W> run(long elements, int chunk, Supplier<W> newWorker, Progress progress) {
        return run(elements, chunk, newWorker, progress, 1);
    }

    /** As {@link #run(long, int, Supplier, Progress)} over units (e.g. rows) of {@code unitElements} elements. */
    <W extends Worker> List<W> run(long elements, int chunk, Supplier<W> newWorker, Progress progress,
                                   long unitElements) {
        long chunks = Math.ceilDiv(elements, (long) chunk);
        int n = (int) Math.max(1, Math.min(parallelism, chunks));
        List<W> workers = new ArrayList<>(n);
        for (int i = 0; i < n; i++) workers.add(newWorker.get());
        AtomicLong next = new AtomicLong();
        AtomicBoolean cancelled = new AtomicBoolean();
        List<Runnable> bodies = new ArrayList<>(n);
        for (W w : workers) {
            bodies.add(() -> {
                long c;
                while ((c = next.getAndIncrement()) < chunks) {
                    if (cancelled.get() || progress.isCancelled()) {
                        cancelled.set(true);
                        return;
                    }
                    long first = c * chunk;
                    int count = (int) Math.min(chunk, elements - first);
                    w.process(first, count);
                    progress.advance(count * unitElements);
                }
            });
        }
        if (n == 1) {
            // One chunk or one thread: no hand-off to the pool, which matters for the many tiny tensors.
            bodies.getFirst().run();
        } else {
            List<ForkJoinTask<?>> tasks = bodies.stream().<ForkJoinTask<?>>map(ForkJoinTask::adapt).toList();
            if (ForkJoinTask.getPool() == pool) {
                ForkJoinTask.invokeAll(tasks);
            } else {
                pool.invoke(new RecursiveAction() {
                    @Override protected void compute() { invokeAll(tasks); }
                });
            }
        }
        if (cancelled.get()) throw new CancellationException("cancelled");
        return workers;
    }

    /**
     * Progress over all passes of one computation, in elements: {@code passes × elements} units in total.
     * Thread-safe: workers report after every chunk.
     */
    static final class Progress {
        private final ProgressMonitor monitor;
        private final long total;
        private final AtomicLong done = new AtomicLong();

        Progress(ProgressMonitor monitor, long elements, int passes) {
            this.monitor = monitor;
            this.total = Math.multiplyExact(Math.max(1, elements), (long) passes);
        }

        boolean isCancelled() { return monitor.isCancelled(); }

        void advance(long elements) { monitor.progress(Math.min(total, done.addAndGet(elements)), total); }

        /** Throws if cancelled; called between passes. */
        void check() { monitor.checkCancelled(); }

        void finish() { monitor.progress(total, total); }
    }
}
