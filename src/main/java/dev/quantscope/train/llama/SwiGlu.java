package dev.quantscope.train.llama;

/** h = silu(gate)·up, elementwise, with silu(g) = g·σ(g). */
public final class SwiGlu {
    private SwiGlu() {}

    public static void forward(float[] gate, float[] up, float[] h, int n) {
        for (int i = 0; i < n; i++) {
            float g = gate[i];
            h[i] = g / (1f + (float) Math.exp(-g)) * up[i];
        }
    }

    /** Writes (not accumulates) dgate and dup: silu'(g) = σ(g)·(1 + g·(1 − σ(g))). */
    public static void backward(float[] gate, float[] up, float[] dh, float[] dgate, float[] dup, int n) {
        for (int i = 0; i < n; i++) {
            float g = gate[i];
            float s = 1f / (1f + (float) Math.exp(-g));
            float silu = g * s;
            dup[i] = dh[i] * silu;
            dgate[i] = dh[i] * up[i] * s * (1f + g * (1f - s));
        }
    }
}
