/**
 * llama.cpp's own tools (llama-bench, llama-quantize) run beside QuantScope's engine, so that a speed figure the
 * product shows can be read against llama.cpp's on the same file, machine and thread count.
 *
 * <p>{@link dev.quantscope.eval.llamacpp.LlamaCppTools} finds the tools from a path the user gives (the folder of
 * the {@code llama} multi-tool wrapper, the wrapper itself, or a {@code llama-bench} binary);
 * {@link dev.quantscope.eval.llamacpp.LlamaBench} runs llama-bench and reads its JSON;
 * {@link dev.quantscope.eval.llamacpp.LlamaQuantize} times llama-quantize. Each runs the tool as a child process
 * ({@link dev.quantscope.eval.llamacpp.ToolRun}), whose peak resident memory is read from /proc while it runs.
 * A tool that refuses its input ends in one {@link java.lang.IllegalArgumentException} sentence naming the file
 * and llama.cpp's own reason.
 */
package dev.quantscope.eval.llamacpp;
