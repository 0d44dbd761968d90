package dev.quantscope.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.*;

class BenchKernelsCommandTest {
    @Test
    void reportsRatesPerTypeForScalarAndVectorKernels() {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int rc;
        try {
            System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
            rc = QuantScopeCommand.run("bench", "kernels", "--rows", "64", "--cols", "512", "--types", "Q4_K,F16",
                    "--threads", "2", "--millis", "20", "--warmup", "20", "--working-set", "1");
        } finally {
            System.setOut(old);
        }
        String out = buf.toString(StandardCharsets.UTF_8);
        assertEquals(0, rc, out);
        assertTrue(out.contains("matvec 64 x 512, 2 threads"), out);
        // Q4_K: 64 rows of 2 blocks of 144 bytes
        assertTrue(out.matches("(?s).*\\nQ4_K +0\\.02 +[\\d.]+ +[\\d.]+ +\\d+ .*"), out);
        assertTrue(out.matches("(?s).*\\nF16 +0\\.07 +[\\d.]+ .*"), out);
    }
}
