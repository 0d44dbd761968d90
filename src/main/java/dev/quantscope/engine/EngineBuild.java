package dev.quantscope.engine;

import dev.quantscope.engine.kernel.Kernels;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * Which engine is running: the build (version and build time, written into the jar by Maven) and the kernels it
 * chose on this machine (Vector API lanes, or scalar). Measured speed depends on all of it, and accuracy on the
 * kernels' summation order, so stored measurements are only reused by the same engine.
 */
public final class EngineBuild {
    private EngineBuild() {}

    private static final String IDENTITY = read();

    /** For example {@code 0.1.0-SNAPSHOT 2026-12-05T02:10:00Z lanes=16}; "unknown build" outside a Maven build. */
    public static String identity() { return IDENTITY; }

    private static String read() {
        String build = "unknown build";
        try (InputStream in = EngineBuild.class.getResourceAsStream("build.properties")) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                String version = p.getProperty("version", ""), built = p.getProperty("built", "");
                // unfiltered (an IDE copying the raw file) means nothing is known about the build
                if (!version.isEmpty() && !version.startsWith("${")) build = version + " " + built;
            }
        } catch (IOException e) {
            // no build information: the identity says so, and stored points of other engines are not reused
        }
        return build + " lanes=" + Kernels.vectorLanes();
    }
}
