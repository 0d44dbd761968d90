package dev.quantscope.app.common;

import dev.quantscope.format.ModelFormatException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * Turns any failure into one sentence a user can act on. Stack traces go to the log, never into the window.
 */
public final class ErrorMessages {
    private static final System.Logger LOG = System.getLogger(ErrorMessages.class.getName());

    private ErrorMessages() {}

    public static String describe(Throwable error) {
        Throwable e = unwrap(error);
        LOG.log(System.Logger.Level.DEBUG, "background failure", e);
        return switch (e) {
            case null -> "Unknown error";
            // The reader's message already names file, field and byte offset.
            case ModelFormatException mfe -> mfe.getMessage();
            case NoSuchFileException nsf -> nsf.getFile() + ": no such file";
            case AccessDeniedException ade -> ade.getFile() + ": permission denied";
            case IOException io -> orName(io);
            case UnsupportedOperationException uoe -> "Not available: " + orName(uoe);
            case CancellationException _ -> "Cancelled";
            case OutOfMemoryError _ -> "Not enough memory for this operation";
            default -> e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
        };
    }

    private static Throwable unwrap(Throwable e) {
        Throwable t = e;
        while ((t instanceof UncheckedIOException || t instanceof ExecutionException || t instanceof CompletionException)
                && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    private static String orName(Throwable e) {
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }
}
