package dev.quantscope.app.generate;

import dev.quantscope.engine.llama.Generation;
import dev.quantscope.engine.llama.LlamaEngine;
import dev.quantscope.engine.llama.Sampler;
import dev.quantscope.engine.tokenizer.Tokenizer;
import dev.quantscope.format.Model;

import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

/**
 * Continues one prompt with the original model and a variant at the same time, each with its own
 * {@link Generation} run on its own thread, so both panes fill token by token. The cores are split between the
 * two engines; each side samples with its own {@link Sampler} of the same settings and seed, so with greedy
 * decoding every difference comes from the weights alone. Stops a side at end-of-sequence, as
 * {@code quantscope generate} does.
 */
final class SideBySide {
    private SideBySide() {}

    /** Sampling settings shared by both sides: temperature 0 is greedy. */
    record Settings(String prompt, int maxTokens, float temperature, float topP, long seed) {
        Settings {
            if (maxTokens < 1) throw new IllegalArgumentException("generate at least one token");
            if (temperature < 0) throw new IllegalArgumentException("temperature must not be negative");
        }
    }

    /** Receives each token as its side produces it; called from the two generation threads. */
    interface TokenSink {
        void token(Side side, int index, int id, String text);
    }

    /** How a run ended: tokens per side and the generation speed measured on each (tokens/s). */
    record Outcome(int originalTokens, int variantTokens, double originalTokensPerSecond,
                   double variantTokensPerSecond) {}

    static Outcome run(Model original, Model variant, Tokenizer tokenizer, Settings s, TokenSink sink,
                       BooleanSupplier cancelled) {
        int[] prompt = tokenizer.encode(s.prompt(), true);
        if (prompt.length == 0) throw new IllegalArgumentException("the prompt has no tokens");
        int context = Math.addExact(prompt.length, s.maxTokens());
        int threadsEach = Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
        AtomicReference<Throwable> variantFailure = new AtomicReference<>();
        SideRun[] variantRun = new SideRun[1];
        Thread other = Thread.ofPlatform().name("generate-variant").daemon().start(() -> {
            try {
                variantRun[0] = side(Side.VARIANT, variant, tokenizer, prompt, context, threadsEach, s, sink, cancelled);
            } catch (Throwable t) {
                variantFailure.set(t);
            }
        });
        SideRun originalRun;
        try {
            originalRun = side(Side.ORIGINAL, original, tokenizer, prompt, context, threadsEach, s, sink, cancelled);
        } finally {
            joinUninterruptibly(other);
        }
        if (variantFailure.get() instanceof RuntimeException e) throw e;
        if (variantFailure.get() instanceof Error e) throw e;
        if (cancelled.getAsBoolean()) throw new CancellationException("stopped");
        return new Outcome(originalRun.tokens, variantRun[0].tokens, originalRun.tokensPerSecond(),
                variantRun[0].tokensPerSecond());
    }

    /**
     * Waits for the variant's thread even when this one is interrupted (Cancel interrupts the worker): the caller
     * closes the variant's model on return, which must not happen while the other thread still reads it. The
     * cancel flag makes that thread stop within a token.
     */
    private static void joinUninterruptibly(Thread t) {
        boolean interrupted = false;
        while (true) {
            try {
                t.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
    }

    private record SideRun(int tokens, long nanos) {
        double tokensPerSecond() { return nanos == 0 ? 0 : tokens * 1e9 / nanos; }
    }

    private static SideRun side(Side side, Model model, Tokenizer tokenizer, int[] prompt, int context, int threads,
                                Settings s, TokenSink sink, BooleanSupplier cancelled) {
        try (LlamaEngine engine = new LlamaEngine(model, context, threads)) {
            Sampler sampler = new Sampler(engine.config().vocab(), s.temperature(), s.topP(), s.seed());
            Utf8Stream text = new Utf8Stream();
            int[] count = {0};
            long start = System.nanoTime();
            Generation.run(engine, prompt, s.maxTokens(), sampler, id -> {
                if (cancelled.getAsBoolean() || id == tokenizer.eos()) return false;
                sink.token(side, count[0]++, id, text.append(tokenizer.pieceBytes(id, false)));
                return true;
            });
            return new SideRun(count[0], System.nanoTime() - start);
        }
    }
}
