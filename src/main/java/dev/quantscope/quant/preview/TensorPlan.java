package dev.quantscope.quant.preview;

import dev.quantscope.quant.ggml.QuantizedSize;
import dev.quantscope.tensor.DType;

/**
 * One tensor of a compression plan.
 *
 * @param name      tensor name
 * @param rows      rows (all dimensions but the row)
 * @param rowLength elements per row (ggml's ne[0])
 * @param source    its type in the source file
 * @param target    what it becomes
 * @param size      exact storage under the target
 * @param note      why the target differs from what was asked (a fallback), or empty
 */
public record TensorPlan(String name, long rows, long rowLength, DType source, Target target, QuantizedSize size,
                         String note) {

    public long elements() { return size.elements(); }

    /** Whether the stored values differ from the source's (so there is an error to measure). */
    public boolean changesValues() {
        return switch (target) {
            case Target.Unchanged _ -> false;
            case Target.Stored s -> s.type() != source;
        };
    }
}
