package dev.quantscope.cli;

import picocli.CommandLine.Command;

/** {@code quantscope bench …}: throughput benchmarks of engine parts. */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmarks (e.g. bench stats FILE).",
        subcommands = {BenchStatsCommand.class, BenchKernelsCommand.class})
public final class BenchCommand implements Runnable {
    @Override
    public void run() {
        System.out.println("usage: quantscope bench stats FILE [--threads N] | quantscope bench kernels [--rows R --cols C --types T,...]");
    }
}
