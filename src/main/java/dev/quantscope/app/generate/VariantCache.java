package dev.quantscope.app.generate;

import dev.quantscope.format.Model;
import dev.quantscope.task.ProgressMonitor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The compressed variants of one model, quantized in memory. Only the latest choice is kept, so generating again
 * with the same variant costs no quantization: when another is asked for, variants no run holds any more are
 * closed (their memory freed); one still held by a run that is being cancelled goes when that run releases it.
 * Thread-safe.
 */
final class VariantCache implements AutoCloseable {
    private final Model original;
    private final Map<VariantChoice, Entry> entries = new LinkedHashMap<>();
    private VariantChoice latest;
    private boolean closed;

    private static final class Entry {
        final Model model;
        int holders;

        Entry(Model model) {
            this.model = model;
        }
    }

    /** A variant held open until {@link #close()}. */
    interface Lease extends AutoCloseable {
        Model model();

        @Override
        void close();
    }

    VariantCache(Model original) {
        this.original = original;
    }

    /** The variant for {@code choice}, quantizing it first unless it is already open. */
    Lease acquire(VariantChoice choice, ProgressMonitor monitor) {
        Entry e;
        synchronized (this) {
            if (closed) throw new IllegalStateException("closed");
            latest = choice;
            evictUnheld();
            e = entries.get(choice);
            if (e != null) e.holders++;
        }
        if (e == null) e = create(choice, monitor);
        Entry held = e;
        return new Lease() {
            private boolean released;

            @Override
            public Model model() { return held.model; }

            @Override
            public void close() {
                if (released) return;
                released = true;
                release(held);
            }
        };
    }

    /** Quantizes outside the lock (it may take long); if another run made the same variant meanwhile, that one wins. */
    private Entry create(VariantChoice choice, ProgressMonitor monitor) {
        Model model = choice.quantize(original, monitor);
        synchronized (this) {
            Entry existing = entries.get(choice);
            if (existing != null || closed) {
                model.close();
                if (closed) throw new IllegalStateException("closed");
                existing.holders++;
                return existing;
            }
            Entry e = new Entry(model);
            e.holders = 1;
            entries.put(choice, e);
            return e;
        }
    }

    private synchronized void release(Entry e) {
        e.holders--;
        evictUnheld();
    }

    private void evictUnheld() {
        List<VariantChoice> gone = new ArrayList<>();
        entries.forEach((choice, e) -> {
            if (e.holders == 0 && (closed || !choice.equals(latest))) gone.add(choice);
        });
        for (VariantChoice c : gone) entries.remove(c).model.close();
    }

    /** The variants currently open, for tests. */
    synchronized List<VariantChoice> open() {
        return List.copyOf(entries.keySet());
    }

    /** Closes every variant no run holds; the rest go when released. */
    @Override
    public synchronized void close() {
        closed = true;
        evictUnheld();
    }
}
