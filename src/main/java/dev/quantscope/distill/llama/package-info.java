/**
 * Recovery distillation of pruned Llama-family models: the pruned model learns the dense model's output
 * distribution over a text, with its zeros kept ({@link dev.quantscope.distill.llama.RecoveryDistillation}), is
 * written as GGUF ({@link dev.quantscope.distill.llama.RecoveredModel}); {@code quantscope recover} measures it on
 * held-out text against the dense model before and after, as {@code eval --base} does.
 */
package dev.quantscope.distill.llama;
