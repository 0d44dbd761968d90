package dev.quantscope.quant.preset;

import dev.quantscope.tensor.DType;

/**
 * The type one tensor gets in the quantized file.
 *
 * @param source      the tensor as it is
 * @param quantizable whether llama-quantize converts it at all (norms and 1-D tensors are copied)
 * @param ruleType    the type the preset's rules wanted, before the row-length fallback
 * @param type        the type written
 */
public record TensorChoice(SourceTensor source, boolean quantizable, DType ruleType, DType type) {

    public String name() { return source.name(); }

    /** Whether the rows did not fit {@link #ruleType()}'s blocks and another type stands in. */
    public boolean fellBack() { return ruleType != type; }

    /** Whether the bytes must be converted (false when the type stays as in the source). */
    public boolean converts() { return type != source.type(); }
}
