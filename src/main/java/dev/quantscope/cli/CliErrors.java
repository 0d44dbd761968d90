package dev.quantscope.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.CancellationException;

/** Turns an exception into the one line the command line prints. */
final class CliErrors {
    private CliErrors() {}

    static String message(Throwable ex) {
        Throwable t = ex;
        while ((t instanceof UncheckedIOException || t.getClass() == RuntimeException.class) && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof CancellationException) return "cancelled";
        if (t instanceof IOException && t.getMessage() != null) return t.getMessage();
        String msg = t.getMessage();
        return msg == null ? t.getClass().getSimpleName() : t.getClass().getSimpleName() + ": " + msg;
    }
}
