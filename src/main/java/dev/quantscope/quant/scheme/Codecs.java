package dev.quantscope.quant.scheme;

/** Checks shared by the codecs. */
final class Codecs {
    private Codecs() {}

    static void checkShape(float[] values, int rows, int rowLength) {
        if (rows < 0 || rowLength < 0) throw new IllegalArgumentException("negative shape " + rows + "×" + rowLength);
        if ((long) rows * rowLength != values.length) {
            throw new IllegalArgumentException(values.length + " values are not " + rows + " rows of " + rowLength);
        }
    }

    static float absMax(float[] x, int from, int to) {
        float m = 0;
        for (int i = from; i < to; i++) m = Math.max(m, Math.abs(x[i]));
        return m;
    }

    static float meanAbs(float[] x, int from, int to) {
        if (to <= from) return 0;
        double s = 0;
        for (int i = from; i < to; i++) s += Math.abs(x[i]);
        return (float) (s / (to - from));
    }
}
