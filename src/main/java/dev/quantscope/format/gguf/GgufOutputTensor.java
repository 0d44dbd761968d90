package dev.quantscope.format.gguf;

import dev.quantscope.tensor.DType;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * One tensor to be written to a GGUF file: its name, ggml dimensions (fastest-varying first), ggml type and its
 * encoded bytes, which must be exactly as many as the type needs for the shape: at hand, or made when the writer
 * reaches the tensor ({@link TensorBytes.Produced}, a streaming conversion).
 */
public record GgufOutputTensor(String name, long[] ne, DType type, TensorBytes bytes) {

    /** ggml's GGML_MAX_NAME is 64 bytes including the terminating NUL; llama.cpp rejects longer names. */
    public static final int MAX_NAME_BYTES = 63;

    public GgufOutputTensor {
        Objects.requireNonNull(name);
        Objects.requireNonNull(type);
        Objects.requireNonNull(bytes);
        ne = ne.clone();
        int nameBytes = name.getBytes(StandardCharsets.UTF_8).length;
        if (nameBytes == 0 || nameBytes > MAX_NAME_BYTES) {
            throw new IllegalArgumentException("tensor name '" + name + "' must be 1 to " + MAX_NAME_BYTES + " bytes");
        }
        if (type.ggmlId() < 0) throw new IllegalArgumentException(name + ": " + type + " has no ggml type number");
        if (ne.length > 4) throw new IllegalArgumentException(name + ": ggml tensors have at most 4 dimensions");
        long elements = 1;
        for (long d : ne) {
            if (d <= 0) throw new IllegalArgumentException(name + ": dimension " + d + " must be > 0");
            elements = Math.multiplyExact(elements, d);
        }
        if (ne.length > 0 && ne[0] % type.blockElements() != 0) {
            throw new IllegalArgumentException(name + ": row of " + ne[0] + " is not a whole number of " + type
                    + " blocks of " + type.blockElements());
        }
        long expected = type.byteSize(elements);
        if (bytes.byteSize() != expected) {
            throw new IllegalArgumentException(name + ": " + bytes.byteSize() + " bytes given, " + type + " needs "
                    + expected);
        }
    }

    /** A tensor whose bytes are at hand. */
    public GgufOutputTensor(String name, long[] ne, DType type, MemorySegment data) {
        this(name, ne, type, new TensorBytes.Present(data));
    }

    /**
     * The bytes, when they are at hand.
     * @throws IllegalStateException for bytes made on demand, which only the writer opens
     */
    public MemorySegment data() {
        if (bytes instanceof TensorBytes.Present(MemorySegment data)) return data;
        throw new IllegalStateException(name + ": its bytes are made while the file is written");
    }

    @Override
    public long[] ne() { return ne.clone(); }

    public long byteSize() { return bytes.byteSize(); }

    /**
     * The dimensions as ggml writes them: trailing dimensions of 1 dropped, at least one kept (ggml_n_dims), so a
     * [256, 1] tensor is stored as 1-D exactly as llama.cpp's writer stores it.
     */
    public long[] storedNe() { return storedNe(ne); }

    /** {@link #storedNe()} of any dimensions. */
    public static long[] storedNe(long[] ne) {
        int n = ne.length;
        while (n > 1 && ne[n - 1] == 1) n--;
        if (n == 0) return new long[] {1};
        long[] out = new long[n];
        System.arraycopy(ne, 0, out, 0, n);
        return out;
    }
}
