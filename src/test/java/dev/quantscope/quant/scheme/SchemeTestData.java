package dev.quantscope.quant.scheme;

import dev.quantscope.format.Model;
import dev.quantscope.format.gguf.GgufReader;
import dev.quantscope.tensor.Decoders;
import dev.quantscope.tensor.TensorInfo;
import dev.quantscope.testing.SharedFiles;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Realistic rows for the scheme tests: ggml's reference input rows and real trained tensors of stories260K. */
final class SchemeTestData {
    private SchemeTestData() {}

    /** A named matrix of floats, row-major. */
    record Matrix(String name, float[] values, int rows, int rowLength) {}

    static float[] readF32(Path p) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(p)).order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[b.remaining() / 4];
        b.asFloatBuffer().get(out);
        return out;
    }

    /** ggml's 4 × 512 reference rows: gaussian, gaussian + 1% outliers, half zeros, uniform. */
    static Matrix ggmlRows() throws IOException {
        return new Matrix("ggml-quants/input.f32", readF32(SharedFiles.file("testvectors/ggml-quants/input.f32")), 4, 512);
    }

    /** Trained stories260K matrices: rows of 64 and of 172 (which leaves short last groups). */
    static List<Matrix> storiesMatrices() throws IOException {
        List<Matrix> out = new ArrayList<>();
        try (Model m = GgufReader.open(SharedFiles.file("models/stories260K.gguf"))) {
            for (String name : List.of("blk.0.attn_q.weight", "blk.2.ffn_down.weight", "blk.4.ffn_up.weight")) {
                TensorInfo t = m.tensor(name).orElseThrow();
                out.add(new Matrix(name, Decoders.decodeAll(t), Math.toIntExact(t.shape().rows()),
                        Math.toIntExact(t.shape().rowLength())));
            }
        }
        return out;
    }

    static List<Matrix> all() throws IOException {
        List<Matrix> out = new ArrayList<>();
        out.add(ggmlRows());
        out.addAll(storiesMatrices());
        return out;
    }

    static double sse(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            double d = (double) a[i] - b[i];
            s += d * d;
        }
        return s;
    }
}
