package dev.quantscope.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.util.Set;

/** The top-level {@code quantscope} command. Subcommands share the engine with the GUI. */
@Command(name = "quantscope", mixinStandardHelpOptions = true, version = "QuantScope 0.1.0",
        description = "Explore and compress neural-network models. With no arguments, opens the GUI.",
        subcommands = {InspectCommand.class, QuantizeCommand.class, EvalCommand.class, GenerateCommand.class,
                SynthCommand.class, SweepCommand.class, ImatrixCommand.class, BenchCommand.class,
                CommandLine.HelpCommand.class})
public final class QuantScopeCommand implements Runnable {

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new QuantScopeCommand());
        // A bad file is reported as one line on stderr, never as a stack trace.
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            cmd.getErr().println("quantscope: " + CliErrors.message(ex));
            return 2;
        });
        return cl;
    }

    public static int run(String... args) {
        return commandLine().execute(args);
    }

    public static Set<String> subcommandNames() {
        return commandLine().getSubcommands().keySet();
    }
}
