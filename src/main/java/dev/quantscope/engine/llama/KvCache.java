package dev.quantscope.engine.llama;

/**
 * The keys and values of every layer and position, in the element type {@link KvCacheType} asks for. Attention
 * reads them through {@link #dotKey} and {@link #addValue}, so its loop neither knows nor allocates for the type.
 * Each layer holds {@code positions × kvDim} keys and as many values, position-major.
 */
sealed interface KvCache permits KvCache.Float32, KvCache.Float16 {

    static KvCache create(KvCacheType type, int layers, int positions, int kvDim, EngineBuffers buffers) {
        int length = Math.multiplyExact(positions, kvDim);
        return switch (type) {
            case F32 -> new Float32(layers, length, buffers);
            case F16 -> new Float16(layers, length, buffers);
        };
    }

    /** Stores key {@code k[0, n)} and value {@code v[0, n)} of {@code layer} at element {@code offset}. */
    void store(int layer, int offset, float[] k, float[] v, int n);

    /**
     * Brings a query to the precision its products with the keys are taken in, in place, once per token: ggml
     * converts the query to the cache's type before the K·q dot products (its F16 dot product takes two F16
     * vectors), so an F16 cache rounds the query too. Nothing for F32.
     */
    void roundQuery(float[] q);

    /** Σ q[qOff + i] · key[offset + i] over i in [0, n), summed in float (F32: lane-wise, see Kernels.dot). */
    float dotKey(int layer, int offset, float[] q, int qOff, int n);

    /** out[oOff + i] += p · value[offset + i] for i in [0, n). */
    void addValue(int layer, int offset, float p, float[] out, int oOff, int n);

    final class Float32 implements KvCache {
        private final float[][] keys, values;

        Float32(int layers, int length, EngineBuffers buffers) {
            keys = new float[layers][];
            values = new float[layers][];
            for (int l = 0; l < layers; l++) {
                keys[l] = buffers.floats(length);
                values[l] = buffers.floats(length);
            }
        }

        @Override
        public void store(int layer, int offset, float[] k, float[] v, int n) {
            System.arraycopy(k, 0, keys[layer], offset, n);
            System.arraycopy(v, 0, values[layer], offset, n);
        }

        @Override
        public void roundQuery(float[] q) {}

        @Override
        public float dotKey(int layer, int offset, float[] q, int qOff, int n) {
            return dev.quantscope.engine.kernel.Kernels.dot(q, qOff, keys[layer], offset, n);
        }

        @Override
        public void addValue(int layer, int offset, float p, float[] out, int oOff, int n) {
            dev.quantscope.engine.kernel.Kernels.addScaled(p, values[layer], offset, out, oOff, n);
        }
    }

    /** IEEE half-precision bits (Float.floatToFloat16, round to nearest even), widened exactly when read. */
    final class Float16 implements KvCache {
        private final short[][] keys, values;

        Float16(int layers, int length, EngineBuffers buffers) {
            keys = new short[layers][];
            values = new short[layers][];
            for (int l = 0; l < layers; l++) {
                keys[l] = buffers.halves(length);
                values[l] = buffers.halves(length);
            }
        }

        @Override
        public void store(int layer, int offset, float[] k, float[] v, int n) {
            short[] kc = keys[layer], vc = values[layer];
            for (int i = 0; i < n; i++) {
                kc[offset + i] = Float.floatToFloat16(k[i]);
                vc[offset + i] = Float.floatToFloat16(v[i]);
            }
        }

        @Override
        public void roundQuery(float[] q) {
            for (int i = 0; i < q.length; i++) q[i] = Float.float16ToFloat(Float.floatToFloat16(q[i]));
        }

        @Override
        public float dotKey(int layer, int offset, float[] q, int qOff, int n) {
            short[] kc = keys[layer];
            float s = 0;
            for (int i = 0; i < n; i++) s += q[qOff + i] * Float.float16ToFloat(kc[offset + i]);
            return s;
        }

        @Override
        public void addValue(int layer, int offset, float p, float[] out, int oOff, int n) {
            short[] vc = values[layer];
            for (int i = 0; i < n; i++) out[oOff + i] += p * Float.float16ToFloat(vc[offset + i]);
        }
    }
}
