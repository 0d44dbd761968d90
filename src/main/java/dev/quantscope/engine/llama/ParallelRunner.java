package dev.quantscope.engine.llama;

import dev.quantscope.engine.kernel.SpinWait;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Splits a range of work over a fixed set of worker threads. Unlike a parallel stream it allocates nothing per
 * call, which keeps the token loop free of garbage; the caller's thread takes the first share.
 */
final class ParallelRunner implements AutoCloseable {

    /** Work on the half-open range [start, end). */
    @FunctionalInterface
    interface RangeTask {
        void run(int start, int end);
    }

    private final Thread[] workers;
    private final AtomicInteger remaining = new AtomicInteger();
    private volatile RangeTask task;
    private volatile int total;
    private volatile int generation;
    private volatile boolean closed;
    private volatile Thread caller;
    private volatile Throwable failure;

    ParallelRunner(int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be at least 1");
        workers = new Thread[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            int share = i + 1;
            workers[i] = Thread.ofPlatform().daemon().name("llama-worker-" + share).start(() -> workLoop(share));
        }
    }

    int threads() { return workers.length + 1; }

    /** Runs {@code t} over [0, n), split in contiguous shares; returns when all shares are done. */
    void run(RangeTask t, int n) {
        int parts = workers.length + 1;
        if (parts == 1 || n < 2) {
            t.run(0, n);
            return;
        }
        task = t;
        total = n;
        caller = Thread.currentThread();
        failure = null;
        remaining.set(workers.length);
        generation++;
        for (Thread w : workers) LockSupport.unpark(w);
        try {
            t.run(0, n / parts);
        } finally {
            int spins = 0;
            while (remaining.get() != 0) spins = SpinWait.pause(spins, this);
        }
        Throwable f = failure;
        if (f != null) {
            if (f instanceof RuntimeException re) throw re;
            if (f instanceof Error e) throw e;
            throw new RuntimeException(f);
        }
    }

    private void workLoop(int share) {
        int seen = 0;
        int parts = workers.length + 1;
        while (true) {
            int spins = 0;
            while (generation == seen && !closed) spins = SpinWait.pause(spins, this);
            if (closed) return;
            seen = generation;
            int n = total;
            long start = (long) n * share / parts, end = (long) n * (share + 1) / parts;
            try {
                if (end > start) task.run((int) start, (int) end);
            } catch (Throwable t) {
                failure = t;
            } finally {
                if (remaining.decrementAndGet() == 0) LockSupport.unpark(caller);
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        for (Thread w : workers) LockSupport.unpark(w);
    }
}
