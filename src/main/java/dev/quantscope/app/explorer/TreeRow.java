package dev.quantscope.app.explorer;

import dev.quantscope.format.LayerGroup;
import dev.quantscope.tensor.TensorInfo;

/** One row of the tensor tree: a layer with its totals, or a tensor. */
public sealed interface TreeRow {
    String name();

    long parameters();

    long bytes();

    record Root(String name, long parameters, long bytes) implements TreeRow {}

    record Layer(LayerGroup group, long parameters, long bytes) implements TreeRow {
        public static Layer of(LayerGroup group) {
            long p = 0, b = 0;
            for (TensorInfo t : group.tensors()) {
                p = Math.addExact(p, t.parameters());
                b = Math.addExact(b, t.byteSize());
            }
            return new Layer(group, p, b);
        }

        @Override
        public String name() { return group.name(); }
    }

    record Tensor(TensorInfo info) implements TreeRow {
        @Override
        public String name() { return info.name(); }

        @Override
        public long parameters() { return info.parameters(); }

        @Override
        public long bytes() { return info.byteSize(); }
    }
}
