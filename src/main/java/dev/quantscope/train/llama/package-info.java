/**
 * Training of Llama-family decoders on the CPU: a forward pass over a window of tokens that keeps its activations
 * ({@link dev.quantscope.train.llama.TrainingPass}) and the explicit backward pass of every piece (RMSNorm, RoPE,
 * grouped-query causal attention, SwiGLU, embedding and head, the distillation loss), each a scalar reference
 * checked by finite differences; the matrix products, the hot part, also with the Vector API.
 */
package dev.quantscope.train.llama;
