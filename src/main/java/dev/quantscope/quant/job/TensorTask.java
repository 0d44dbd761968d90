package dev.quantscope.quant.job;

import dev.quantscope.quant.preset.TensorChoice;
import dev.quantscope.tensor.DType;
import dev.quantscope.tensor.ElementDecoder;
import dev.quantscope.tensor.TensorInfo;

import java.lang.foreign.MemorySegment;

/**
 * What happens to one tensor: its bytes are copied as they are (the type stays), or its values are decoded and
 * encoded as another type into {@code output}.
 *
 * @param ne      ggml dimensions as the source file states them
 * @param decoder the source's decoder; null when its values cannot be read (then it can only be copied, unmeasured)
 * @param output  where the encoded bytes go; for a copy, the source's own bytes
 */
record TensorTask(TensorInfo source, TensorChoice choice, long[] ne, ElementDecoder decoder, MemorySegment output) {

    DType type() { return choice.type(); }

    boolean copies() { return !choice.converts(); }

    long elements() { return source.parameters(); }
}
