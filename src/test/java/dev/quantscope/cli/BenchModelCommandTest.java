package dev.quantscope.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quantscope.testing.SharedFiles;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BenchModelCommandTest {

    @Test
    void benchModelPrintsSpeedsAndPeakRssAsJson() throws Exception {
        StringWriter out = new StringWriter(), err = new StringWriter();
        CommandLine cl = QuantScopeCommand.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute("bench", SharedFiles.file("models/stories260K.gguf").toString(),
                "--pp", "32", "--tg", "8", "--threads", "1", "--json");
        assertEquals(0, exit, err.toString());
        JsonNode doc = new ObjectMapper().readTree(out.toString());
        assertTrue(doc.get("pp").asDouble() > 0);
        assertTrue(doc.get("tg").asDouble() > 0);
        // The JVM alone takes tens of MB; VmHWM must be read, not defaulted.
        assertTrue(doc.get("peak_rss_mb").asDouble() > 10, out.toString());
        // the JIT diagnostic: bytes allocated per token in each phase (HotSpot counts them)
        assertTrue(doc.get("pp_alloc_bytes_per_token").isNumber() && doc.get("pp_alloc_bytes_per_token").asDouble() >= 0, out.toString());
        assertTrue(doc.get("tg_alloc_bytes_per_token").isNumber() && doc.get("tg_alloc_bytes_per_token").asDouble() >= 0, out.toString());
    }

    @Test
    void benchTakesTheKvCacheType() throws Exception {
        StringWriter out = new StringWriter(), err = new StringWriter();
        CommandLine cl = QuantScopeCommand.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute("bench", SharedFiles.file("models/stories260K.gguf").toString(),
                "--pp", "16", "--tg", "4", "--threads", "1", "--kv-cache", "f16", "--json");
        assertEquals(0, exit, err.toString());
        JsonNode doc = new ObjectMapper().readTree(out.toString());
        assertEquals("f16", doc.get("kv_cache").asText());
        assertTrue(doc.get("tg").asDouble() > 0);
    }

    @Test
    void aPhaseWithZeroTokensHasANullRate() throws Exception {
        for (String[] phases : new String[][] {{"0", "4"}, {"16", "0"}}) {
            StringWriter out = new StringWriter(), err = new StringWriter();
            CommandLine cl = QuantScopeCommand.commandLine();
            cl.setOut(new PrintWriter(out, true));
            cl.setErr(new PrintWriter(err, true));
            int exit = cl.execute("bench", SharedFiles.file("models/stories260K.gguf").toString(),
                    "--pp", phases[0], "--tg", phases[1], "--threads", "1", "-r", "1", "--json");
            assertEquals(0, exit, err.toString());
            JsonNode doc = new ObjectMapper().readTree(out.toString());
            boolean noPrompt = phases[0].equals("0");
            assertEquals(noPrompt, doc.get("pp").isNull(), out.toString());
            assertEquals(noPrompt, doc.get("pp_alloc_bytes_per_token").isNull(), out.toString());
            assertEquals(!noPrompt, doc.get("tg").isNull(), out.toString());
            assertTrue(doc.get(noPrompt ? "tg" : "pp").asDouble() > 0, out.toString());
        }
    }

    @Test
    void bothPhasesEmptyIsAnError() {
        StringWriter err = new StringWriter();
        CommandLine cl = QuantScopeCommand.commandLine();
        cl.setOut(new PrintWriter(new StringWriter(), true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute("bench", SharedFiles.file("models/stories260K.gguf").toString(), "--pp", "0", "--tg", "0");
        assertTrue(exit != 0);
        assertTrue(err.toString().contains("--pp and --tg"), err.toString());
    }

    @Test
    void benchWithoutModelStillOffersTheSubcommands() {
        StringWriter out = new StringWriter();
        CommandLine cl = QuantScopeCommand.commandLine();
        cl.setOut(new PrintWriter(out, true));
        assertEquals(0, cl.execute("bench"));
        assertTrue(cl.getSubcommands().get("bench").getSubcommands().containsKey("stats"));
    }
}
