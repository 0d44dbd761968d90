package dev.quantscope.failure;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.UndeclaredThrowableException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.regex.Pattern;

/**
 * The one place a failure becomes a sentence, for the GUI and the command line alike. The exceptions QuantScope
 * throws on purpose (a reader's {@code ModelFormatException}, a refused option's {@code IllegalArgumentException},
 * an unsupported tokenizer's {@code UnsupportedOperationException}, ...) carry a sentence a user can act on, shown
 * as it is. Anything else is told as an internal error, its trace kept for the log (GUI) or --verbose (CLI).
 */
public final class FailureDescriber {
    private static final System.Logger LOG = System.getLogger(FailureDescriber.class.getName());
    /** "java.io.EOFException: " or "SomeException: " inside a message. */
    private static final Pattern CLASS_PREFIX =
            Pattern.compile("\\b(?:[a-z_$][\\w$]*\\.)*[A-Z][\\w$]*(?:Exception|Error): ");
    /** Deeper cause chains are not wrappers but loops or recursion gone wrong; stop there. */
    private static final int MAX_UNWRAP = 20;

    private FailureDescriber() {}

    /**
     * The sentence for a window or a tooltip. An internal error's trace goes to the log at WARNING (that is where
     * its sentence sends the user); an explained failure's only at DEBUG.
     */
    public static String describe(Throwable error) {
        Failure f = classify(error);
        switch (f) {
            case Failure.Internal i -> LOG.log(System.Logger.Level.WARNING, i.sentence(), i.cause());
            case Failure.Explained x -> LOG.log(System.Logger.Level.DEBUG, x.sentence(), x.cause());
        }
        return f.sentence();
    }

    /** Which kind of failure this is, and its sentence; logs nothing. */
    public static Failure classify(Throwable error) {
        Throwable e = unwrap(error);
        return switch (e) {
            case null -> new Failure.Internal(null);
            case CancellationException _, ClosedByInterruptException _, InterruptedException _ ->
                    new Failure.Explained("Cancelled", e);
            case OutOfMemoryError _ -> new Failure.Explained("Not enough memory for this operation", e);
            case NoSuchFileException f -> new Failure.Explained(f.getFile() + ": no such file", e);
            case AccessDeniedException f -> new Failure.Explained(f.getFile() + ": permission denied", e);
            case FileAlreadyExistsException f -> new Failure.Explained(f.getFile() + ": already exists", e);
            case NotDirectoryException f -> new Failure.Explained(f.getFile() + ": not a folder", e);
            case DirectoryNotEmptyException f -> new Failure.Explained(f.getFile() + ": the folder is not empty", e);
            case FileSystemException f when f.getFile() != null && f.getReason() != null ->
                    new Failure.Explained(f.getFile() + ": " + f.getReason(), e);
            // Number parsing's own message ("For input string: ...") is no sentence; an unchecked number that
            // gets here is a check the code forgot.
            case NumberFormatException _ -> new Failure.Internal(e);
            case IOException _, IllegalArgumentException _, IllegalStateException _, UnsupportedOperationException _
                    when hasMessage(e) -> new Failure.Explained(withoutClassNames(e.getMessage()), e);
            default -> new Failure.Internal(e);
        };
    }

    private static boolean hasMessage(Throwable e) {
        return e.getMessage() != null && !e.getMessage().isBlank();
    }

    /**
     * Takes off the layers that only carry another failure: the concurrency and reflection wrappers, a plain
     * RuntimeException, and any exception made as {@code new XException(cause)}, whose message is just the
     * cause's class and message.
     */
    private static Throwable unwrap(Throwable error) {
        Throwable t = error;
        for (int depth = 0; t != null && t.getCause() != null && t.getCause() != t && depth < MAX_UNWRAP; depth++) {
            boolean wrapper = t instanceof UncheckedIOException || t instanceof ExecutionException
                    || t instanceof CompletionException || t instanceof InvocationTargetException
                    || t instanceof UndeclaredThrowableException
                    || t.getClass() == RuntimeException.class || t.getClass() == Exception.class
                    || t.getMessage() == null || t.getMessage().equals(t.getCause().toString());
            if (!wrapper) break;
            t = t.getCause();
        }
        return t;
    }

    /** A message that quotes another exception keeps its words and loses the class name. */
    static String withoutClassNames(String message) {
        return message == null ? null : CLASS_PREFIX.matcher(message).replaceAll("");
    }
}
