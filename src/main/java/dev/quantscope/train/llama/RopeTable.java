package dev.quantscope.train.llama;

import dev.quantscope.engine.llama.LlamaConfig;
import dev.quantscope.engine.llama.RopeRotation;
import dev.quantscope.engine.llama.RopeStyle;

/**
 * RoPE on whole windows, with the engine's frequencies ({@link RopeRotation#pairFrequencies}: the model's θ, style,
 * frequency factors and scaling) and the same float tables. The rotation of a pair (a, b) by angle φ and magnitude m
 * is linear, so its backward pass is its transpose: the rotation by −φ, times m.
 */
public final class RopeTable {
    private final int headDim, half;
    private final boolean adjacent;
    private final float[] cos, sin;

    public RopeTable(LlamaConfig c, int positions) {
        headDim = c.headDim();
        half = c.ropeDim() / 2;
        adjacent = c.ropeStyle() == RopeStyle.ADJACENT_PAIRS;
        double[] omega = RopeRotation.pairFrequencies(c);
        double magnitude = RopeRotation.magnitude(c.ropeScaling());
        cos = new float[Math.multiplyExact(positions, half)];
        sin = new float[cos.length];
        for (int p = 0; p < positions; p++) {
            for (int i = 0; i < half; i++) {
                double angle = p * omega[i];
                cos[p * half + i] = (float) (Math.cos(angle) * magnitude);
                sin[p * half + i] = (float) (Math.sin(angle) * magnitude);
            }
        }
    }

    public int positions() { return cos.length / half; }

    /** Rotates every head of each token's vector (width = heads·headDim) to the token's position, in place. */
    public void forward(float[] v, int tokens, int heads) {
        rotate(v, tokens, heads, 1f);
    }

    /** The gradient through {@link #forward}: the transposed rotation, in place. */
    public void backward(float[] grad, int tokens, int heads) {
        rotate(grad, tokens, heads, -1f);
    }

    private void rotate(float[] v, int tokens, int heads, float direction) {
        if (tokens > positions()) throw new IllegalArgumentException(tokens + " tokens exceed the " + positions() + " RoPE positions");
        int width = heads * headDim;
        for (int t = 0; t < tokens; t++) {
            int base = t * half;
            for (int h = 0; h < heads; h++) {
                int off = t * width + h * headDim;
                for (int i = 0; i < half; i++) {
                    int ia = adjacent ? off + 2 * i : off + i;
                    int ib = adjacent ? ia + 1 : ia + half;
                    float cs = cos[base + i], sn = direction * sin[base + i];
                    float a = v[ia], b = v[ib];
                    v[ia] = a * cs - b * sn;
                    v[ib] = a * sn + b * cs;
                }
            }
        }
    }
}
