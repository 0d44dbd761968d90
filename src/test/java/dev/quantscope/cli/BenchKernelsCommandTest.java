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
        // the interleaved copy's column: four figures for Q4_K where the engine makes that copy, "-" for F16
        String q4k = out.lines().filter(l -> l.startsWith("Q4_K ")).findFirst().orElseThrow();
        String f16 = out.lines().filter(l -> l.startsWith("F16 ")).findFirst().orElseThrow();
        if (dev.quantscope.engine.kernel.Kernels.copies(dev.quantscope.tensor.DType.Q4_K)) {
            assertEquals(2 + 3 * 4, q4k.trim().split(" +").length, q4k);
        }
        assertTrue(f16.trim().endsWith("-"), f16);
    }

    @Test
    void batchTimesTheBatchedProductOfAllItsTokens() {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int rc;
        try {
            System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
            rc = QuantScopeCommand.run("bench", "kernels", "--rows", "64", "--cols", "512", "--types", "Q6_K",
                    "--threads", "2", "--millis", "20", "--warmup", "20", "--working-set", "1", "--batch", "8",
                    "--no-scalar");
        } finally {
            System.setOut(old);
        }
        String out = buf.toString(StandardCharsets.UTF_8);
        assertEquals(0, rc, out);
        assertTrue(out.contains("matmul of 8 tokens, 64 x 512, 2 threads"), out);
        java.util.regex.Matcher m = java.util.regex.Pattern
                .compile("\\nQ6_K +0\\.03 +- +([\\d.]+) +([\\d.]+) +(\\d+) ").matcher(out);
        org.junit.jupiter.api.Assumptions.assumeTrue(dev.quantscope.engine.kernel.Kernels.vectorized(),
                "the batched path is the vector kernels'");
        assertTrue(m.find(), out);
        // Well-formed figures only: how fast the product ran is the bench's to report, not a test's to judge.
        for (int g = 1; g <= 3; g++) assertTrue(Double.isFinite(Double.parseDouble(m.group(g))), out);
        assertTrue(Double.parseDouble(m.group(3)) > 0, "microseconds per call: " + out);
    }
}
