/**
 * Safetensors exports that other tools load, fed by plain data (row sources, codes, scales) so they do not
 * depend on how the values were quantized. Every file goes through
 * {@link dev.quantscope.format.safetensors.SafetensorsWriter} and therefore {@link dev.quantscope.format.FileCommit}.
 *
 * <h2>Dequantized ({@link dev.quantscope.format.safetensors.export.DequantizedExport})</h2>
 * Any decodable tensor as F32, F16 ({@link java.lang.Float#floatToFloat16}) or BF16 (round to nearest even),
 * converted a chunk of rows at a time. {@link dev.quantscope.format.safetensors.export.LlamaGgufToHf} plans a GGUF
 * Llama under Hugging Face names with row-major shapes (GGUF ne reversed) and undoes the q/k row permutation that
 * llama.cpp's converter applies for its RoPE layout (see that class for the index formula).
 *
 * <h2>Packed integers ({@link dev.quantscope.format.safetensors.export.PackedQuantizedExport})</h2>
 * compressed-tensors' "pack-quantized" format, as its {@code PackedQuantizationCompressor} writes and vLLM's
 * WNA16 scheme reads:
 * <table>
 *   <caption>tensors per quantized Linear module {@code M} with weight [out, in]</caption>
 *   <tr><th>name</th><th>dtype</th><th>shape</th><th>content</th></tr>
 *   <tr><td>{@code M.weight_packed}</td><td>I32</td><td>[out, ceil(in / (32/bits))]</td>
 *       <td>codes + 2^(bits-1), 32/bits per int32 along the input dimension, first code in the lowest bits</td></tr>
 *   <tr><td>{@code M.weight_scale}</td><td>scale format (the model's dtype)</td><td>[out, in / group_size] or
 *       [out, 1]</td><td>one scale per group / output channel</td></tr>
 *   <tr><td>{@code M.weight_zero_point}</td><td>I32</td><td>[ceil(out / (32/bits)), groups]</td>
 *       <td>asymmetric only: zero points packed the same way, along the output dimension</td></tr>
 *   <tr><td>{@code M.weight_shape}</td><td>I64</td><td>[2]</td><td>[out, in]</td></tr>
 * </table>
 * Codes and zero points are signed, in {@code [-2^(bits-1), 2^(bits-1) - 1]} (compressed-tensors'
 * {@code calculate_range} for type "int"), and {@code W ≈ (code - zero_point) · scale}. config.json needs the
 * block {@link dev.quantscope.format.safetensors.export.PackedQuantizedExport#quantizationConfig}:
 * {@code quant_method "compressed-tensors"}, {@code format "pack-quantized"}, one {@code config_groups.group_0}
 * with {@code targets ["Linear"]} and {@code weights {num_bits, type "int", symmetric, strategy "group"|"channel",
 * group_size}}, and {@code ignore} listing Linear modules kept in floats (typically {@code lm_head}).
 * {@code __metadata__} holds {@code format: pt} (transformers requires it) and a description of the scheme.
 * vLLM's kernels also want {@code in} divisible by the group size (enforced) and, for asymmetric zero points,
 * {@code out} divisible by 32/bits (not enforced: compressed-tensors itself pads).
 */
package dev.quantscope.format.safetensors.export;
