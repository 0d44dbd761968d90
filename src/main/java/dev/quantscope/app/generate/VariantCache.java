package dev.quantscope.app.generate;

import dev.quantscope.format.Model;
import dev.quantscope.format.ModelOpener;
import dev.quantscope.task.ProgressMonitor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The compressed variants of one model, quantized to temporary GGUF files and opened from there (the engine reads
 * GGUF; nothing in the project yields a quantized {@link Model} in memory). Only the latest choice is kept: when
 * another is asked for, variants no run holds any more are closed and their files deleted; a variant still held
 * by a run that is being cancelled goes when that run releases it. Thread-safe.
 */
final class VariantCache implements AutoCloseable {
    private final Model original;
    private final int threads;
    private final Map<VariantChoice, Entry> entries = new LinkedHashMap<>();
    private VariantChoice latest;
    private boolean closed;

    private static final class Entry {
        final Path file;
        final Model model;
        int holders;

        Entry(Path file, Model model) {
            this.file = file;
            this.model = model;
        }
    }

    /** A variant held open until {@link #close()}. */
    interface Lease extends AutoCloseable {
        Model model();

        @Override
        void close();
    }

    VariantCache(Model original, int threads) {
        this.original = original;
        this.threads = threads;
    }

    /** The variant for {@code choice}, quantizing it first unless it is already open. */
    Lease acquire(VariantChoice choice, ProgressMonitor monitor) throws IOException {
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

    /** Quantizes outside the lock (it may take long); a concurrent request for the same choice wins the race. */
    private Entry create(VariantChoice choice, ProgressMonitor monitor) throws IOException {
        Path file = Files.createTempFile("quantscope-variant-", ".gguf");
        Model model;
        try {
            choice.write(original, file, threads, monitor);
            model = ModelOpener.open(file);
        } catch (IOException | RuntimeException | Error failure) {
            Files.deleteIfExists(file);
            throw failure;
        }
        synchronized (this) {
            Entry existing = entries.get(choice);
            if (existing != null || closed) {
                discard(new Entry(file, model));
                if (closed) throw new IllegalStateException("closed");
                existing.holders++;
                return existing;
            }
            Entry e = new Entry(file, model);
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
        for (VariantChoice c : gone) discard(entries.remove(c));
    }

    private static void discard(Entry e) {
        e.model.close();
        try {
            Files.deleteIfExists(e.file);
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    /** Files this cache currently keeps, for tests. */
    synchronized List<Path> files() {
        return entries.values().stream().map(e -> e.file).toList();
    }

    /** Closes and deletes every variant no run holds; the rest go when released. */
    @Override
    public synchronized void close() {
        closed = true;
        evictUnheld();
    }
}
