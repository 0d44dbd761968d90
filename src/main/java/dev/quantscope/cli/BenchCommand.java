package dev.quantscope.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code quantscope bench …}: throughput benchmarks of engine parts. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmarks: bench MODEL (inference speed), bench stats FILE, bench quantize FILE --type PRESET, bench kernels, bench train --arch SPEC.",
        footer = "bench MODEL --json prints one object: pp, tg (tokens/s), peak_rss_mb, kv_cache, "
                + "pp_alloc_bytes_per_token, tg_alloc_bytes_per_token (0 when every kernel compiled without boxing); "
                + "a phase that did not run has null figures. "
                + "With --vs-llama-cpp, per model: model, bytes, threads, kv_cache, pp_tokens, tg_tokens, repetitions, "
                + "rounds[] (round, first, quantscope{pp,tg,peak_rss_mb}, llama_cpp{…}, ratio{pp,tg}), "
                + "median{quantscope, llama_cpp, ratio}, quantscope_command, llama_cpp_command; "
                + "one object for one model, an array for several.",
        subcommands = {BenchStatsCommand.class, BenchQuantizeCommand.class, BenchKernelsCommand.class,
                BenchPruneCommand.class, BenchTrainCommand.class})
public final class BenchCommand implements java.util.concurrent.Callable<Integer> {
    /** {@code bench MODEL …}: a first argument that names no subcommand is a model to run. */
    @Mixin
    BenchModelCommand modelBench;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (!modelBench.models.isEmpty()) return modelBench.call();
        java.io.PrintWriter out = spec.commandLine().getOut();
        out.println("usage: quantscope bench MODEL [--pp N] [--tg N] [--threads N] [--json]");
        out.println("       quantscope bench MODEL... --vs-llama-cpp PATH [--rounds R] [--json | --markdown]");
        out.println("       quantscope bench stats FILE [--threads N]");
        out.println("       quantscope bench quantize FILE --type PRESET [--threads N]");
        out.println("       quantscope bench kernels [--rows R --cols C --types T,...]");
        out.println("       quantscope bench train --arch SPEC --images IDX --labels IDX [--epochs N --batch B --limit N]");
        out.flush();
        return 0;
    }
}
