package dev.quantscope;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Which arguments go to the command line and which to the GUI, the GUI without a display, and the launcher script
 * itself (src/main/launcher/quantscope, run as ./mvnw package leaves it in target/) with DISPLAY unset.
 */
class LauncherTest {

    @Test
    void subcommandsOptionsAndMistypedWordsGoToTheCommandLine() {
        assertTrue(Launcher.isCommandLine("inspect", _ -> false));
        assertTrue(Launcher.isCommandLine("--help", _ -> false));
        assertTrue(Launcher.isCommandLine("--verbose", _ -> false));
        assertTrue(Launcher.isCommandLine("inpsect", _ -> false), "a bare word that names no file");
        assertTrue(Launcher.isCommandLine("inspect", _ -> true), "a subcommand even if a file has its name");
    }

    @Test
    void modelPathsGoToTheGui() {
        assertFalse(Launcher.isCommandLine("x.gguf", _ -> false), "an extension: a model file, even if missing");
        assertFalse(Launcher.isCommandLine("models/llama", _ -> false), "a path");
        assertFalse(Launcher.isCommandLine("llama", _ -> true), "a folder here");
    }

    @Test
    void linuxNeedsAnXOrWaylandDisplay() {
        assertFalse(Launcher.hasDisplay(Map.of(), "Linux"));
        assertFalse(Launcher.hasDisplay(Map.of("DISPLAY", ""), "Linux"));
        assertTrue(Launcher.hasDisplay(Map.of("DISPLAY", ":0"), "Linux"));
        assertTrue(Launcher.hasDisplay(Map.of("WAYLAND_DISPLAY", "wayland-0"), "Linux"));
        assertTrue(Launcher.hasDisplay(Map.of(), "Windows 11"));
    }

    @Test
    void aFailureInTheWindowToolkitIsTheDisplays() {
        UnsupportedOperationException glass = new UnsupportedOperationException("Unable to open DISPLAY");
        glass.setStackTrace(new StackTraceElement[] {
                new StackTraceElement("com.sun.glass.ui.gtk.GtkApplication", "<init>", "GtkApplication.java", 151)});
        assertTrue(Launcher.toolkitFailed(new RuntimeException(glass)));
        assertFalse(Launcher.toolkitFailed(new IllegalStateException("a bug in the app")));
    }

    // --- the launcher script, end to end ---

    private record Run(int exit, String out, String err) {}

    @Test
    void mistypedSubcommandWithoutDisplayGetsPicocliSuggestionAndExit2(@TempDir Path dir) throws Exception {
        Run r = launch(dir, "inpsect", "x.gguf");
        assertEquals(2, r.exit(), r.err());
        assertEquals("quantscope: unknown subcommand 'inpsect', did you mean 'inspect'?\n"
                + "Try 'quantscope --help' for more information.\n", r.err());
        assertEquals("", r.out());
    }

    @Test
    void guiWithoutDisplayIsOneLineAndExit1(@TempDir Path dir) throws Exception {
        Run r = launch(dir, "x.gguf");
        assertEquals(1, r.exit(), r.err());
        assertEquals(Launcher.NO_DISPLAY + "\n", r.err());
    }

    @Test
    void helpLeavesStderrEmpty(@TempDir Path dir) throws Exception {
        Run r = launch(dir, "--help");
        assertEquals(0, r.exit(), r.err());
        assertEquals("", r.err(), "no incubator warning");
        assertTrue(r.out().contains("inspect"), r.out());
    }

    @Test
    void aTextFileNamedSafetensorsIsOneSentence(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("x.safetensors"), "hello, this is text\n");
        Run r = launch(dir, "inspect", "x.safetensors");
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().startsWith("quantscope: x.safetensors: not a safetensors file ("), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
    }

    /** Runs the script from a copy of target/'s layout: the script, quantscope.jar (the classes) and lib/. */
    private static Run launch(Path dir, String... args) throws IOException, InterruptedException {
        Path home = Files.createDirectories(dir.resolve("launcher"));
        Path script = home.resolve("quantscope");
        Files.copy(Path.of("src/main/launcher/quantscope"), script);
        assertTrue(script.toFile().setExecutable(true));
        Path lib = Files.createDirectories(home.resolve("lib"));
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path p = Path.of(entry);
            if (p.endsWith("classes") && p.getParent().endsWith("target")) {
                Files.createSymbolicLink(home.resolve("quantscope.jar"), p.toAbsolutePath()); // a folder works as well
            } else if (entry.endsWith(".jar") && !Files.exists(lib.resolve(p.getFileName()))) {
                Files.createSymbolicLink(lib.resolve(p.getFileName()), p.toAbsolutePath());
            }
        }
        List<String> command = new ArrayList<>(List.of(script.toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
        pb.environment().remove("DISPLAY");
        pb.environment().remove("WAYLAND_DISPLAY");
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        Process p = pb.start();
        // Read to the end of each pipe: stderr ends only when the script's filter has passed its last byte.
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
        String out = readAll(p.getInputStream());
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the launcher did not finish");
        return new Run(p.exitValue(), out, err.join());
    }

    private static String readAll(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
