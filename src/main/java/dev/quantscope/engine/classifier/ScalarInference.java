package dev.quantscope.engine.classifier;

import java.util.List;

/** The scalar reference of inference: each layer as its definition reads, in double sums, one example at a time. */
final class ScalarInference {
    private ScalarInference() {}

    static float[] logits(Classifier classifier, float[] inputs, int batch) {
        Architecture a = classifier.architecture();
        List<InputShape> shapes = a.shapes();
        int features = a.input().features(), classes = a.classes();
        float[] logits = new float[batch * classes];
        for (int b = 0; b < batch; b++) {
            float[] x = java.util.Arrays.copyOfRange(inputs, b * features, (b + 1) * features);
            for (int i = 0; i < a.layers().size(); i++) x = layer(classifier, a.layers().get(i), shapes.get(i), x);
            System.arraycopy(x, 0, logits, b * classes, classes);
        }
        return logits;
    }

    private static float[] layer(Classifier c, Layer layer, InputShape in, float[] x) {
        String n = layer.name();
        return switch (layer.spec()) {
            case LayerSpec.Dense d -> {
                float[] w = c.tensor(n + ".weight"), bias = c.tensor(n + ".bias");
                int k = in.features();
                float[] y = new float[d.units()];
                for (int o = 0; o < d.units(); o++) {
                    double s = bias[o];
                    for (int i = 0; i < k; i++) s += (double) w[o * k + i] * x[i];
                    y[o] = (float) s;
                }
                yield y;
            }
            case LayerSpec.Conv cv -> {
                float[] w = c.tensor(n + ".weight"), bias = c.tensor(n + ".bias");
                int h = in.height(), wd = in.width(), k = cv.kernel(), pad = k / 2, cin = in.channels();
                float[] y = new float[cv.channels() * h * wd];
                for (int o = 0; o < cv.channels(); o++) {
                    for (int r = 0; r < h; r++) {
                        for (int col = 0; col < wd; col++) {
                            double s = bias[o];
                            for (int ci = 0; ci < cin; ci++) {
                                for (int ky = 0; ky < k; ky++) {
                                    for (int kx = 0; kx < k; kx++) {
                                        int sr = r + ky - pad, sc = col + kx - pad;
                                        if (sr < 0 || sr >= h || sc < 0 || sc >= wd) continue;
                                        s += (double) w[((o * cin + ci) * k + ky) * k + kx] * x[(ci * h + sr) * wd + sc];
                                    }
                                }
                            }
                            y[(o * h + r) * wd + col] = (float) s;
                        }
                    }
                }
                yield y;
            }
            case LayerSpec.MaxPool p -> {
                int oh = in.height() / p.size(), ow = in.width() / p.size();
                float[] y = new float[in.channels() * oh * ow];
                for (int ch = 0; ch < in.channels(); ch++) {
                    for (int i = 0; i < oh; i++) {
                        for (int j = 0; j < ow; j++) {
                            float m = Float.NEGATIVE_INFINITY;
                            for (int dy = 0; dy < p.size(); dy++) {
                                for (int dx = 0; dx < p.size(); dx++) {
                                    m = Math.max(m, x[(ch * in.height() + i * p.size() + dy) * in.width() + j * p.size() + dx]);
                                }
                            }
                            y[(ch * oh + i) * ow + j] = m;
                        }
                    }
                }
                yield y;
            }
            case LayerSpec.Relu r -> {
                float[] y = new float[x.length];
                for (int i = 0; i < x.length; i++) y[i] = Math.max(0f, x[i]);
                yield y;
            }
            case LayerSpec.Gelu g -> {
                float[] y = new float[x.length];
                for (int i = 0; i < x.length; i++) y[i] = (float) Gaussian.gelu(x[i]);
                yield y;
            }
            case LayerSpec.BatchNorm bn -> {
                float[] gamma = c.tensor(n + ".weight"), beta = c.tensor(n + ".bias");
                float[] mean = c.tensor(n + ".running_mean"), var = c.tensor(n + ".running_var");
                int spatial = in.height() * in.width();
                float[] y = new float[x.length];
                for (int i = 0; i < x.length; i++) {
                    int ch = i / spatial;
                    y[i] = (float) (gamma[ch] * (x[i] - mean[ch]) / Math.sqrt(mean.length > 0 ? var[ch] + LayerSpec.BatchNorm.EPSILON : 1) + beta[ch]);
                }
                yield y;
            }
            case LayerSpec.Flatten f -> x;
            case LayerSpec.Dropout d -> x;
        };
    }
}
