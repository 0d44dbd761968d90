package dev.quantscope.quant.metrics;

import dev.quantscope.task.ProgressMonitor;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * Runs numbered units of work on a fixed number of threads. Each thread gets its own worker (so scratch buffers
 * and quantizers are never shared) and pulls the next unit number from a counter, so a slow unit never leaves a
 * core idle. The first failure or a cancellation stops every thread before its next unit.
 */
public final class UnitRunner {
    private UnitRunner() {}

    /** Does one unit of work. */
    @FunctionalInterface
    public interface Worker {
        void run(int unit) throws Exception;
    }

    /**
     * Runs units {@code 0 .. units-1}.
     *
     * @throws CancellationException when the monitor was cancelled (or the calling thread interrupted)
     * @throws RuntimeException      the first failure of a unit (checked exceptions wrapped)
     */
    public static void run(int units, int threads, Supplier<? extends Worker> newWorker, ProgressMonitor monitor) {
        if (threads < 1) throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        AtomicInteger next = new AtomicInteger();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Runnable body = () -> {
            Worker w = newWorker.get();
            int u;
            while (!stop.get() && (u = next.getAndIncrement()) < units) {
                if (monitor.isCancelled()) {
                    stop.set(true);
                    return;
                }
                try {
                    w.run(u);
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                    stop.set(true);
                }
            }
        };
        int n = Math.min(threads, Math.max(units, 1));
        if (n == 1) {
            body.run();
        } else {
            List<Thread> started = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                started.add(Thread.ofPlatform().daemon().name("quantscope-worker-" + i).start(body));
            }
            boolean interrupted = false;
            for (Thread t : started) {
                while (true) {
                    try {
                        t.join();
                        break;
                    } catch (InterruptedException e) {
                        // Stop the others, but wait for them: their buffers and output must not be in use after we return.
                        interrupted = true;
                        stop.set(true);
                    }
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
                throw new CancellationException("interrupted");
            }
        }
        Throwable t = failure.get();
        if (t != null) {
            if (t instanceof RuntimeException r) throw r;
            if (t instanceof Error e) throw e;
            throw new RuntimeException(t.getMessage(), t);
        }
        monitor.checkCancelled();
    }
}
