package dev.quantscope.prune.structured;

import dev.quantscope.tensor.Decoders;
import dev.quantscope.tensor.ElementDecoder;
import dev.quantscope.tensor.TensorInfo;

/** Euclidean norms of a weight matrix's rows and columns, decoded row by row from whatever type it is stored in. */
final class UnitNorms {
    private UnitNorms() {}

    /** ‖row r‖₂ for every row. */
    static double[] ofRows(TensorInfo t) {
        double[] squares = new double[Math.toIntExact(t.shape().rows())];
        forEachRow(t, (r, row) -> {
            double s = 0;
            for (float v : row) s += (double) v * v;
            squares[r] = s;
        });
        return sqrt(squares);
    }

    /** ‖column c‖₂ for every column (position within the rows). */
    static double[] ofColumns(TensorInfo t) {
        double[] squares = new double[Math.toIntExact(t.shape().rowLength())];
        forEachRow(t, (r, row) -> {
            for (int c = 0; c < row.length; c++) squares[c] += (double) row[c] * row[c];
        });
        return sqrt(squares);
    }

    private interface RowVisitor {
        void visit(int row, float[] values);
    }

    private static void forEachRow(TensorInfo t, RowVisitor visitor) {
        ElementDecoder decoder = Decoders.find(t.dtype()).orElseThrow(() -> new IllegalArgumentException(
                t.name() + " is " + t.dtype() + ", which QuantScope cannot decode to score its units."));
        int rowLength = Math.toIntExact(t.shape().rowLength());
        int rows = Math.toIntExact(t.shape().rows());
        float[] row = new float[rowLength];
        for (int r = 0; r < rows; r++) {
            decoder.decode(t.data(), (long) r * rowLength, row, 0, rowLength);
            visitor.visit(r, row);
        }
    }

    private static double[] sqrt(double[] squares) {
        for (int i = 0; i < squares.length; i++) squares[i] = Math.sqrt(squares[i]);
        return squares;
    }
}
