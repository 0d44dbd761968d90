package dev.quantscope.app.common;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/** The pool all GUI background work runs on: daemon threads, so a forgotten task never keeps the JVM alive. */
public final class Workers {
    private Workers() {}

    public static ExecutorService newPool() {
        AtomicInteger n = new AtomicInteger();
        ThreadFactory factory = r -> {
            Thread t = new Thread(r, "quantscope-worker-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
        int threads = Math.max(2, Math.min(4, Runtime.getRuntime().availableProcessors()));
        return Executors.newFixedThreadPool(threads, factory);
    }
}
