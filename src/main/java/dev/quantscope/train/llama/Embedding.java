package dev.quantscope.train.llama;

/** Token embedding: a row look-up forward, a scatter-add of the rows' gradients backward. */
public final class Embedding {
    private Embedding() {}

    public static void forward(float[] table, int[] tokens, int count, int dim, float[] out) {
        for (int t = 0; t < count; t++) System.arraycopy(table, tokens[t] * dim, out, t * dim, dim);
    }

    public static void backward(float[] dOut, int[] tokens, int count, int dim, float[] dTable) {
        for (int t = 0; t < count; t++) {
            int row = tokens[t] * dim, o = t * dim;
            for (int i = 0; i < dim; i++) dTable[row + i] += dOut[o + i];
        }
    }
}
