package dev.quantscope;

import dev.quantscope.cli.QuantScopeCommand;

import java.util.Set;

/**
 * The one entry point. With a subcommand (or --help/--version) it runs the command line headless and never
 * touches JavaFX; otherwise it opens the GUI, with any arguments taken as model files to open.
 */
public final class Launcher {
    private Launcher() {}

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && isCommandLine(args[0])) {
            System.exit(QuantScopeCommand.run(args));
        }
        // Loaded only here, so headless commands never initialise the JavaFX toolkit.
        Class.forName("dev.quantscope.app.QuantScopeApp").getMethod("launchApp", String[].class)
                .invoke(null, (Object) args);
    }

    static boolean isCommandLine(String first) {
        return QuantScopeCommand.subcommandNames().contains(first)
                || Set.of("-h", "--help", "-V", "--version", "help").contains(first);
    }
}
