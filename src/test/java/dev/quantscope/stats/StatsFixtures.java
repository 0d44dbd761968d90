package dev.quantscope.stats;

import dev.quantscope.format.Model;
import dev.quantscope.format.ModelFormat;
import dev.quantscope.tensor.DType;
import dev.quantscope.tensor.Shape;
import dev.quantscope.tensor.TensorInfo;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Shared test inputs: the real models in ../shared, and small tensors built in memory. */
final class StatsFixtures {
    private StatsFixtures() {}

    static Path shared(String relative) {
        return Path.of(System.getProperty("quantscope.shared", "../shared")).resolve(relative);
    }

    /** An F32 tensor in ggml order over a heap segment. */
    static TensorInfo f32(String name, float[] values, long... ne) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) b.putFloat(v);
        return new TensorInfo(name, Shape.ggml(ne), DType.F32, values.length * 4L, MemorySegment.ofArray(b.array()));
    }

    /** An F16 tensor in ggml order (values are rounded to half precision). */
    static TensorInfo f16(String name, float[] values, long... ne) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) b.putShort(Float.floatToFloat16(v));
        return new TensorInfo(name, Shape.ggml(ne), DType.F16, values.length * 2L, MemorySegment.ofArray(b.array()));
    }

    static Model model(TensorInfo... tensors) {
        return new Model(Path.of("in-memory"), ModelFormat.GGUF, List.of(tensors), Map.of(), null, null);
    }
}
