package dev.quantscope.engine;

import dev.quantscope.engine.kernel.Kernels;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Properties;

/**
 * Which engine is running: the build (version and build time, written into the jar by Maven) and the kernels it
 * chose on this machine (Vector API lanes, or scalar). Measured speed depends on all of it, and accuracy on the
 * kernels' summation order, so stored measurements are only reused by the same engine.
 */
public final class EngineBuild {
    private EngineBuild() {}

    /** The version when not running from a Maven build (an IDE copying the unfiltered resource). */
    static final String UNKNOWN = "unknown build";

    private static final Properties BUILD = read();
    private static final String VERSION = filtered("version");
    private static final String IDENTITY =
            (VERSION.equals(UNKNOWN) ? UNKNOWN : VERSION + " " + BUILD.getProperty("built", ""))
                    + " lanes=" + Kernels.vectorLanes();

    /** For example {@code 0.1.0-SNAPSHOT 2026-12-05T02:10:00Z lanes=16}; "unknown build" outside a Maven build. */
    public static String identity() { return IDENTITY; }

    /** The project version, for example {@code 0.1.0-SNAPSHOT}; "unknown build" outside a Maven build. */
    public static String version() { return VERSION; }

    /**
     * What the app says it is, the same in {@code quantscope --version} and Help → About: the product and its
     * version, then the engine build that will do the work.
     */
    public static List<String> versionLines() {
        return List.of("QuantScope " + VERSION, "engine " + IDENTITY);
    }

    private static String filtered(String key) {
        String value = BUILD.getProperty(key, "");
        // unfiltered (an IDE copying the raw file) means nothing is known about the build
        return value.isEmpty() || value.startsWith("${") ? UNKNOWN : value;
    }

    private static Properties read() {
        Properties p = new Properties();
        try (InputStream in = EngineBuild.class.getResourceAsStream("build.properties")) {
            if (in != null) p.load(in);
        } catch (IOException e) {
            // no build information: the identity says so, and stored points of other engines are not reused
        }
        return p;
    }
}
