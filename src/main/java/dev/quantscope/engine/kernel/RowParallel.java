package dev.quantscope.engine.kernel;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A small persistent pool that splits an index range [0, n) into chunks and runs them on all cores: the
 * calling thread plus {@code threads - 1} workers that live as long as the pool. Made for the engine's many
 * short parallel steps per token (every matvec): a call allocates nothing, starts no task objects, and hands
 * work over through a few atomic fields.
 *
 * <p>Hand-over: the caller publishes the job's fields and then a claim word whose high half is the job number
 * and low half the next chunk. Threads claim chunks by compare-and-set on that word, so a worker still running
 * late from an earlier job can never take a chunk of a newer one by mistake: its job number no longer matches.
 * Idle workers spin briefly (successive matvecs of one token follow each other within microseconds) and then
 * park; the caller unparks them when it publishes a job and parks itself while the last chunks finish.
 *
 * <p>One caller at a time: {@link #forRange} and {@link #matvec} are not reentrant and must not be called
 * concurrently (the engine runs its forward pass on one thread). Exceptions thrown by a chunk are rethrown to
 * the caller after the whole job has finished.
 */
public final class RowParallel implements AutoCloseable {
    private final Thread[] workers;
    private final int threads;
    private final AtomicLong claim = new AtomicLong();
    private final AtomicInteger done = new AtomicInteger();
    private volatile boolean closed;
    private volatile Thread caller;
    private volatile Throwable failure;
    private long job;

    // The current job; written by the caller before the claim word is published.
    private RangeTask task;
    private int n, chunk;
    /**
     * The job number (high half) and its chunk count (low half), published together: a worker that read the claim
     * word of a finished job must not compare that job's last chunk index with the next job's count, which the
     * caller writes before it publishes the next claim word (it then claimed a chunk of a job not yet published).
     */
    private volatile long jobChunks;
    private WeightMatrix mvMatrix;
    private Activation mvInput;
    private float[] mvOut;

    private final RangeTask matvecTask = (s, e) -> mvMatrix.matvec(mvInput, mvOut, s, e);

    /** A pool using {@code threads} threads in all, the caller included (at least 1). */
    public RowParallel(int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be at least 1: " + threads);
        this.threads = threads;
        this.workers = new Thread[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            Thread t = new Thread(this::workerLoop, "quantscope-rows-" + (i + 1));
            t.setDaemon(true);
            workers[i] = t;
            t.start();
        }
    }

    /** A pool over all available processors. */
    public static RowParallel allCores() {
        return new RowParallel(Runtime.getRuntime().availableProcessors());
    }

    public int threads() { return threads; }

    /** {@code out[r] = dot(row r, x)} for every row of {@code w}, rows split over the pool. */
    public void matvec(WeightMatrix w, Activation x, float[] out) {
        mvMatrix = w;
        mvInput = x;
        mvOut = out;
        try {
            forRange(w.rows(), 16, matvecTask);
        } finally {
            mvMatrix = null;
            mvInput = null;
            mvOut = null;
        }
    }

    /**
     * Chunks per thread of a job, claimed as threads come free. Measured on Q4_K_M generation (2 threads): 8 or
     * 16 were no faster than 4, within this machine's run-to-run spread.
     */
    private static final int CHUNKS_PER_THREAD = 4;

    /**
     * Runs {@code task} over [0, n) in chunks of at least {@code grain} indices, about {@value #CHUNKS_PER_THREAD}
     * chunks per thread, claimed as threads come free, so that a thread slowed down by another process does not
     * hold everyone up.
     */
    public void forRange(int n, int grain, RangeTask task) {
        if (closed) throw new IllegalStateException("pool is closed");
        if (n <= 0) return;
        int size = Math.max(Math.max(1, grain), ceilDiv(n, CHUNKS_PER_THREAD * threads));
        int count = ceilDiv(n, size);
        if (workers.length == 0 || count == 1) {
            task.run(0, n);
            return;
        }
        this.task = task;
        this.n = n;
        this.chunk = size;
        this.failure = null;
        this.caller = Thread.currentThread();
        done.set(0);
        long id = ++job;
        jobChunks = id << 32 | count;
        claim.set(id << 32); // volatile write: publishes the fields above to every thread that reads the claim word
        for (Thread w : workers) LockSupport.unpark(w);
        work(id);
        int spins = 0;
        while (done.get() < count) spins = SpinWait.pause(spins, this);
        this.task = null;
        Throwable f = failure;
        if (f != null) {
            failure = null;
            if (f instanceof RuntimeException re) throw re;
            if (f instanceof Error er) throw er;
            throw new RuntimeException(f);
        }
    }

    /** Claims and runs chunks of job {@code id} until none is left. */
    private void work(long id) {
        while (true) {
            long v = claim.get();
            if ((v >>> 32) != id) return;
            long jc = jobChunks;
            // a newer job being published: this one's chunks are all done (its caller has returned)
            if ((jc >>> 32) != id) return;
            int c = (int) v, chunks = (int) jc;
            if (c >= chunks) return;
            if (!claim.compareAndSet(v, v + 1)) continue;
            // The claim succeeded for job id, so that job is still running and the fields are its own.
            int start = c * chunk;
            int end = Math.min(n, start + chunk);
            try {
                task.run(start, end);
            } catch (Throwable t) {
                failure = t;
            }
            if (done.incrementAndGet() == chunks) LockSupport.unpark(caller);
        }
    }

    private void workerLoop() {
        long seen = 0;
        while (!closed) {
            long id = claim.get() >>> 32;
            if (id != seen) {
                seen = id;
                work(id);
                continue;
            }
            int spins = 0;
            while (!closed && (claim.get() >>> 32) == seen) spins = SpinWait.pause(spins, this);
        }
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }

    /** Stops the workers (they are daemons, so a pool left open does not keep the JVM alive). */
    @Override
    public void close() {
        closed = true;
        for (Thread w : workers) LockSupport.unpark(w);
    }
}
