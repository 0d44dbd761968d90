package dev.quantscope.app.shell;

import dev.quantscope.format.Model;
import dev.quantscope.format.ModelOpener;
import javafx.concurrent.Task;

import java.nio.file.Path;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Opens one model off the FX thread. Reading the header cannot be interrupted, so Cancel means "discard": whoever
 * sees the cancellation last — the worker after opening, or the FX thread's cancel handler — closes the model,
 * and exactly one of them does, so a cancelled open never leaks a mapping.
 */
final class OpenTask extends Task<Model> {
    private final Path path;
    private final AtomicReference<Model> opened = new AtomicReference<>();

    OpenTask(Path path) {
        this.path = path;
        updateTitle("Opening " + (path.getFileName() == null ? path : path.getFileName()) + "…");
        updateProgress(-1, 1);
    }

    Path path() { return path; }

    @Override
    protected Model call() throws Exception {
        Model m = ModelOpener.open(path);
        opened.set(m);
        if (isCancelled()) {
            discard();
            throw new CancellationException("cancelled");
        }
        return m;
    }

    /** Takes ownership of the opened model; null if it was discarded. */
    Model take() { return opened.getAndSet(null); }

    void discard() {
        Model m = opened.getAndSet(null);
        if (m != null) m.close();
    }
}
