package dev.quantscope.engine.classifier;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class AccuracyTest {

    /** A linear classifier that predicts the input's one non-zero feature, except class i → i + 1 for the last two. */
    @Test
    void countsTopOneTopFiveConfusionAndMisclassifiedInOrder() {
        int classes = 6;
        Architecture a = Architecture.parse("", InputShape.flat(classes), classes);
        float[] w = new float[classes * classes];
        for (int i = 0; i < classes; i++) w[(i < 4 ? i : (i + 1) % classes) * classes + i] = 1;   // feature i votes for its prediction
        w[4 * classes + 4] = 0.5f;   // and, for the two it gets wrong, half as much for the true class: second place
        w[5 * classes + 5] = 0.5f;
        Classifier c = new Classifier(a, Map.of("out.weight", w, "out.bias", new float[classes]));
        int n = 300;
        float[] inputs = new float[n * classes];
        int[] labels = new int[n];
        for (int e = 0; e < n; e++) {
            labels[e] = e % classes;
            inputs[e * classes + labels[e]] = 1;
        }
        LabeledImages data = new LabeledImages(InputShape.flat(classes), inputs, new byte[inputs.length], labels, classes);
        AccuracyResult r = Accuracy.measure(c, data, 2, 3);
        assertEquals(4.0 / 6, r.top1(), 1e-12);
        assertEquals(1.0, r.top5(), 1e-12);     // the true class is second where it is not first
        assertEquals(n, r.n());
        assertEquals(50, r.confusion()[4][5]);
        assertEquals(50, r.confusion()[5][0]);
        assertEquals(50, r.confusion()[2][2]);
        assertArrayEquals(new int[] {4, 5, 10}, r.misclassified().stream().mapToInt(Misclassified::index).toArray());
        assertEquals(5, r.misclassified().getFirst().predicted());
    }
}
