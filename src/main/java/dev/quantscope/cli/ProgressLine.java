package dev.quantscope.cli;

import dev.quantscope.task.ProgressMonitor;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * A progress line on stderr for a long command, "label: 42 %": on a terminal rewritten in place (carriage return)
 * whenever the whole percent changes; otherwise (a log, a pipe) one line per quarter, so the log stays readable.
 * Never cancelled.
 */
final class ProgressLine implements ProgressMonitor {
    private final PrintWriter err;
    private final String label;
    private final int every;
    private final boolean inPlace;
    private int shown = -1;

    ProgressLine(PrintWriter err, String label) {
        this.err = err;
        this.label = label;
        this.inPlace = System.console() != null;
        this.every = inPlace ? 1 : 25;
    }

    @Override
    public synchronized void progress(long done, long total) {
        int percent = total <= 0 ? 100 : (int) Math.min(100, done * 100 / total);
        int step = percent / every * every;
        if (step == shown) return;
        shown = step;
        if (inPlace) {
            err.printf(Locale.ROOT, "\r%s: %3d %%", label, step);
            if (step == 100) err.println();
        } else {
            err.printf(Locale.ROOT, "%s: %d %%%n", label, step);
        }
        err.flush();
    }

    @Override
    public boolean isCancelled() { return false; }
}
