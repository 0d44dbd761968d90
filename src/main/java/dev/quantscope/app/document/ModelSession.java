package dev.quantscope.app.document;

import dev.quantscope.format.Model;
import dev.quantscope.stats.StatsEngine;

import java.util.concurrent.CancellationException;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;

/**
 * One open model and its statistics engine, shared by every view of it. Background work reads the mapped file
 * under the read lock; closing takes the write lock, so the file is unmapped only after the last reader has left
 * (reading an unmapped segment would fail, or worse). Call {@link #close()} off the FX thread.
 */
public final class ModelSession {
    private final Model model;
    private final StatsEngine stats;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private boolean closed;

    public ModelSession(Model model) {
        this.model = model;
        this.stats = new StatsEngine(model);
    }

    public Model model() { return model; }

    public StatsEngine stats() { return stats; }

    /** Runs {@code work} while the model is guaranteed to stay open. */
    public <T> T read(Supplier<T> work) {
        lock.readLock().lock();
        try {
            if (closed) throw new CancellationException("model closed");
            return work.get();
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Waits for readers to finish, then unmaps the file. Idempotent. */
    public void close() {
        lock.writeLock().lock();
        try {
            if (!closed) {
                closed = true;
                model.close();
            }
        } finally {
            lock.writeLock().unlock();
        }
    }
}
