package dev.quantscope.cli;

import dev.quantscope.failure.Failure;
import dev.quantscope.failure.FailureDescriber;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

import java.io.PrintWriter;
import java.util.List;

/**
 * What the command line prints when something fails: one line on stderr starting "quantscope: ", the sentence
 * {@link FailureDescriber} makes of it; for a mistake in the arguments, a second line pointing at --help. The
 * stack trace only with --verbose.
 */
final class CliFailureHandler {
    /** Exit status of a command that failed while running (a bad file, a refused recipe). */
    static final int FAILED = 2;
    /**
     * Exit status of an input a command refuses itself (quantize, synth, bench quantize catch their own
     * IllegalArgumentExceptions). It differs from {@link #FAILED} for historical reasons; both are non-zero.
     */
    static final int REFUSED = 1;

    private CliFailureHandler() {}

    /** A mistyped subcommand, an unknown option, a bad option value, a missing parameter. */
    static int parameterError(ParameterException ex, String[] args) {
        CommandLine cmd = ex.getCommandLine();
        PrintWriter err = cmd.getErr();
        err.println("quantscope: " + parameterMessage(ex));
        if (verbose(cmd.getParseResult())) ex.printStackTrace(err);
        err.println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help' for more information.");
        err.flush();
        return cmd.getCommandSpec().exitCodeOnInvalidInput();
    }

    static int executionError(Exception ex, CommandLine cmd, ParseResult full) {
        PrintWriter err = cmd.getErr();
        Failure failure = FailureDescriber.classify(ex);
        String sentence = switch (failure) {
            case Failure.Internal internal -> internal.sentence("--verbose prints the details");
            case Failure.Explained explained -> explained.sentence();
        };
        err.println("quantscope: " + sentence);
        if (verbose(full)) ex.printStackTrace(err);
        err.flush();
        return FAILED;
    }

    /** One line for an input a command refused itself: FailureDescriber's sentence, no trace. */
    static int refused(PrintWriter err, Exception e) {
        err.println("quantscope: " + FailureDescriber.classify(e).sentence());
        err.flush();
        return REFUSED;
    }

    /**
     * picocli's message, except for a word where a subcommand belongs: picocli calls that an unmatched argument;
     * the user mistyped a subcommand, so say that, with picocli's closest match.
     */
    private static String parameterMessage(ParameterException ex) {
        if (ex instanceof UnmatchedArgumentException u && unknownSubcommand(u)) {
            String word = u.getUnmatched().getFirst();
            List<String> suggestions = u.getSuggestions();
            return "unknown subcommand '" + word + "'"
                    + (suggestions.isEmpty() ? "" : ", did you mean '" + suggestions.getFirst() + "'?");
        }
        return ex.getMessage();
    }

    private static boolean unknownSubcommand(UnmatchedArgumentException u) {
        CommandLine cmd = u.getCommandLine();
        List<String> unmatched = u.getUnmatched();
        return !cmd.getSubcommands().isEmpty() && cmd.getCommandSpec().positionalParameters().isEmpty()
                && !unmatched.isEmpty() && !unmatched.getFirst().startsWith("-");
    }

    private static boolean verbose(ParseResult parsed) {
        for (ParseResult p = parsed; p != null; p = p.subcommand()) {
            if (p.hasMatchedOption(QuantScopeCommand.VERBOSE)) return true;
        }
        return false;
    }
}
