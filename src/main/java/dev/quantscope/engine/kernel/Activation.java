package dev.quantscope.engine.kernel;

/**
 * An input vector for matrix-vector products: the float values plus, computed once on demand after each change,
 * the 8-bit block-quantized forms that ggml's integer dot products use (Q8_0 for 32-element block types, Q8_K for
 * K-quants). Reused across tokens: nothing is allocated after construction.
 */
public final class Activation {
    private final float[] values;
    private int length;
    private volatile int version;

    public Activation(int capacity) {
        this.values = new float[capacity];
        this.length = capacity;
    }

    /** The backing array; after writing into it call {@link #changed(int)}. */
    public float[] values() { return values; }

    public int length() { return length; }

    /** Marks the values as changed (length {@code n}), invalidating the quantized forms. */
    public void changed(int n) {
        if (n > values.length) throw new IllegalArgumentException(n + " > capacity " + values.length);
        length = n;
        version++;
    }

    /** Incremented on every change; kernels use it to know when their quantized copy is stale. */
    public int version() { return version; }
}
