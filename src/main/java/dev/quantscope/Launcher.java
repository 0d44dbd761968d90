package dev.quantscope;

import dev.quantscope.cli.QuantScopeCommand;
import dev.quantscope.failure.FailureDescriber;

import java.lang.reflect.InvocationTargetException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * The one entry point. With a subcommand (or an option, or a word that can only be a mistyped subcommand) it runs
 * the command line headless and never touches JavaFX; otherwise it opens the GUI, with any arguments taken as model
 * files to open.
 */
public final class Launcher {
    static final String NO_DISPLAY =
            "QuantScope's window needs a display; the subcommands run without one: quantscope --help";
    /** A subcommand's shape: a bare word. Model files have an extension or a path; folders exist. */
    private static final Pattern WORD = Pattern.compile("[A-Za-z][A-Za-z0-9_-]*");
    private static final Set<String> HELP = Set.of("help", "-h", "--help", "-V", "--version");

    private Launcher() {}

    public static void main(String[] args) {
        if (args.length > 0 && isCommandLine(args[0], Launcher::exists)) {
            System.exit(QuantScopeCommand.run(args));
        }
        if (!hasDisplay(System.getenv(), System.getProperty("os.name", ""))) {
            System.err.println(NO_DISPLAY);
            System.exit(1);
        }
        System.exit(runGui(args));
    }

    /**
     * Whether the first argument is meant for the command line: a subcommand, an option (the GUI takes none), or a
     * bare word that names no file or folder here, which can only be a mistyped subcommand — picocli then names
     * the closest one. Anything else (a path, a name with an extension, an existing folder) is a model to open.
     */
    static boolean isCommandLine(String first, Predicate<String> exists) {
        if (HELP.contains(first) || QuantScopeCommand.subcommandNames().contains(first)) return true;
        if (first.startsWith("-")) return true;
        return WORD.matcher(first).matches() && !exists.test(first);
    }

    /**
     * JavaFX on Linux draws through GTK, which needs an X or Wayland display; without either it fails deep in the
     * toolkit. Other systems always have one.
     */
    static boolean hasDisplay(Map<String, String> env, String osName) {
        if (!osName.toLowerCase(Locale.ROOT).contains("linux")) return true;
        return !env.getOrDefault("DISPLAY", "").isBlank() || !env.getOrDefault("WAYLAND_DISPLAY", "").isBlank();
    }

    private static int runGui(String[] args) {
        try {
            // Loaded only here, so headless commands never initialise the JavaFX toolkit.
            Class.forName("dev.quantscope.app.QuantScopeApp").getMethod("launchApp", String[].class)
                    .invoke(null, (Object) args);
            return 0;
        } catch (InvocationTargetException e) {
            if (toolkitFailed(e.getCause())) {
                System.err.println(NO_DISPLAY);
            } else {
                System.err.println("quantscope: " + FailureDescriber.describe(e.getCause()));
            }
            return 1;
        } catch (ReflectiveOperationException e) {
            System.err.println("quantscope: " + FailureDescriber.describe(e));
            return 1;
        }
    }

    /** The display was named but could not be opened: the failure comes from the windowing toolkit's start. */
    static boolean toolkitFailed(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            StackTraceElement[] trace = t.getStackTrace();
            if (trace.length > 0 && trace[0].getClassName().startsWith("com.sun.glass.")) return true;
        }
        return false;
    }

    private static boolean exists(String name) {
        try {
            return Files.exists(Path.of(name));
        } catch (InvalidPathException e) {
            return false;
        }
    }
}
