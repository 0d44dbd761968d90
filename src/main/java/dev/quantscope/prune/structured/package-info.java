/**
 * Structured pruning: whole FFN units, attention heads (with grouped-query attention, whole KV groups) and whole
 * blocks taken out of a GGUF Llama, so the model really becomes smaller and runs faster, and hidden units taken out
 * of a two-layer classifier. Every cut removes rows and columns; nothing is zeroed. The results are in-memory models
 * (GGUF, or safetensors for the classifier) that the pipeline can quantize afterwards or write straight away.
 */
package dev.quantscope.prune.structured;
