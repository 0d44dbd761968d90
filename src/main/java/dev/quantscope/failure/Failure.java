package dev.quantscope.failure;

/**
 * A failure as a user reads it: either it explains itself in a sentence, or it is an internal error whose trace
 * is the detail a bug report needs. {@link FailureDescriber} decides which.
 */
public sealed interface Failure {

    /** What the user reads: one sentence, never a Java class name. */
    String sentence();

    /** The failure itself, wrappers taken off; null when there was none. */
    Throwable cause();

    /** A failure whose message is the sentence (or a fixed one: cancelled, out of memory, a file-system refusal). */
    record Explained(String sentence, Throwable cause) implements Failure {}

    /** Something the code did not foresee: a bug, or the runtime failing in a way nothing checked for. */
    record Internal(Throwable cause) implements Failure {
        @Override
        public String sentence() {
            return sentence("details are in the log");
        }

        /** @param whereDetailsAre where the trace can be read, e.g. "--verbose prints the details" */
        public String sentence(String whereDetailsAre) {
            String message = cause == null ? null : FailureDescriber.withoutClassNames(cause.getMessage());
            return message == null || message.isBlank()
                    ? "An internal error stopped this; " + whereDetailsAre
                    : "An internal error stopped this: " + message + "; " + whereDetailsAre;
        }
    }
}
