package dev.quantscope.cli;

import dev.quantscope.engine.EngineBuild;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

import java.util.Set;

/** The top-level {@code quantscope} command. Subcommands share the engine with the GUI. */
@Command(name = "quantscope", mixinStandardHelpOptions = true, versionProvider = QuantScopeCommand.BuildVersion.class,
        description = "Explore and compress neural-network models. With no arguments, opens the GUI.",
        subcommands = {InspectCommand.class, AccuracyCommand.class, TrainCommand.class, QuantizeCommand.class, EvalCommand.class, GenerateCommand.class,
                SynthCommand.class, SweepCommand.class, ImatrixCommand.class, BenchCommand.class, PruneCommand.class,
                RecoverCommand.class, DistillCommand.class,
                CommandLine.HelpCommand.class})
public final class QuantScopeCommand implements Runnable {
    static final String VERBOSE = "--verbose";

    // Read from the parse result (CliFailureHandler), where it is found whether given before or after the
    // subcommand; the field only makes picocli accept and document it.
    @Option(names = VERBOSE, scope = ScopeType.INHERIT,
            description = "On a failure, print its Java stack trace after the one-line message.")
    boolean verbose;

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new QuantScopeCommand());
        // A user's mistake is one line on stderr (and a hint where picocli's usage help says more), never a
        // stack trace; --verbose adds the trace.
        cl.setParameterExceptionHandler(CliFailureHandler::parameterError);
        cl.setExecutionExceptionHandler(CliFailureHandler::executionError);
        return cl;
    }

    public static int run(String... args) {
        return commandLine().execute(args);
    }

    public static Set<String> subcommandNames() {
        return commandLine().getSubcommands().keySet();
    }

    /** {@code --version} prints what Help → About shows: the version and the engine build. */
    static final class BuildVersion implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return EngineBuild.versionLines().toArray(String[]::new);
        }
    }
}
