package dev.quantscope.prune;

import dev.quantscope.format.Model;
import dev.quantscope.format.safetensors.export.FloatFormat;
import dev.quantscope.tensor.Decoders;
import dev.quantscope.tensor.TensorInfo;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A model whose chosen tensors are copies in an arena of its own, so that pruning can write them while the engine
 * keeps reading every weight straight from its tensor's memory; the other tensors stay views of the original
 * model, which must stay open as long as this one is used. Closing the model closes the arena.
 */
public final class WritableCopies {
    private final Model model;
    private final Map<String, TensorInfo> copies;

    private WritableCopies(Model model, Map<String, TensorInfo> copies) {
        this.model = model;
        this.copies = copies;
    }

    /**
     * @throws IllegalArgumentException when a chosen tensor is not stored as F32, F16 or BF16 (a quantized tensor
     *                                  cannot take the updated weights without quantizing them again)
     */
    public static WritableCopies of(Model original, Set<String> names) {
        for (TensorInfo t : original.tensors()) {
            if (names.contains(t.name())) format(t);
        }
        Arena arena = Arena.ofShared();
        try {
            Map<String, TensorInfo> copies = new LinkedHashMap<>();
            List<TensorInfo> tensors = new ArrayList<>();
            for (TensorInfo t : original.tensors()) {
                if (names.contains(t.name())) {
                    MemorySegment copy = arena.allocate(t.byteSize(), 64);
                    copy.copyFrom(t.data());
                    TensorInfo c = new TensorInfo(t.name(), t.shape(), t.dtype(), t.byteSize(), copy);
                    copies.put(t.name(), c);
                    tensors.add(c);
                } else {
                    tensors.add(t);
                }
            }
            Model model = new Model(original.source(), original.format(), tensors, original.metadata(), arena,
                    original.details());
            return new WritableCopies(model, copies);
        } catch (RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    /** The model over the copies; it owns their arena. */
    public Model model() { return model; }

    public TensorInfo tensor(String name) {
        TensorInfo t = copies.get(name);
        if (t == null) throw new IllegalArgumentException(name + " is not one of the copied tensors");
        return t;
    }

    public float[] read(String name) {
        return Decoders.decodeAll(tensor(name));
    }

    /** Stores {@code values} in the tensor's own dtype (rounded as the dtype rounds). */
    public void write(String name, float[] values) {
        TensorInfo t = tensor(name);
        if (values.length != t.parameters()) {
            throw new IllegalArgumentException(values.length + " values for " + t.parameters() + " in " + name);
        }
        format(t).encode(values, 0, values.length, t.data().asByteBuffer().order(ByteOrder.LITTLE_ENDIAN));
    }

    /**
     * How pruned values are written back in {@code t}'s own dtype.
     * @throws IllegalArgumentException when it is not F32, F16 or BF16: a quantized tensor would have to be quantized
     *                                  again to take new values
     */
    public static FloatFormat format(TensorInfo t) {
        return FloatFormat.of(t.dtype()).orElseThrow(() -> new IllegalArgumentException(t.name() + " is stored as "
                + t.dtype() + ", so it cannot be pruned: prune the F32, F16 or BF16 model, then quantize it"));
    }
}
