package dev.quantscope.cli;

import dev.quantscope.engine.EngineBuild;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** {@code quantscope --version} prints the same version and engine build as Help → About. */
class VersionOptionTest {
    @Test
    void versionPrintsTheBuildsVersionAndEngine() {
        CommandLine cl = QuantScopeCommand.commandLine();
        StringWriter out = new StringWriter();
        cl.setOut(new PrintWriter(out));
        assertEquals(0, cl.execute("--version"));
        String printed = out.toString().strip();
        assertEquals(String.join(System.lineSeparator(), EngineBuild.versionLines()), printed);
        assertFalse(EngineBuild.version().startsWith("unknown"), "Maven filled in the version: " + printed);
    }
}
