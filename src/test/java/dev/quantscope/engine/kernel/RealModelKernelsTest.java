package dev.quantscope.engine.kernel;

import dev.quantscope.format.Model;
import dev.quantscope.format.ModelOpener;
import dev.quantscope.tensor.DType;
import dev.quantscope.tensor.Decoders;
import dev.quantscope.tensor.TensorInfo;
import dev.quantscope.testing.SharedFiles;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/** The kernels on tensors llama-quantize wrote (and on real F32/F16 models) agree with the dequantized definition. */
class RealModelKernelsTest {

    @ParameterizedTest
    @ValueSource(strings = {"expected/llama-quantize-outputs/dev-Q4_K_M.gguf",
            "expected/llama-quantize-outputs/dev-Q3_K_M.gguf", "expected/llama-quantize-outputs/dev-Q2_K.gguf",
            "models/synth-llama-dev-f16.gguf", "models/stories260K.gguf"})
    void everyMatrixOfTheModelMatchesTheDefinition(String file) throws Exception {
        Set<DType> seen = EnumSet.noneOf(DType.class);
        // shared, as the engine's: the interleaved copies are then packed in parallel, from the mapped file
        try (Model model = ModelOpener.open(SharedFiles.file(file)); Arena copies = Arena.ofShared()) {
            for (TensorInfo t : model.tensors()) {
                if (t.shape().rank() != 2 || !Kernels.supports(t.dtype())) continue;
                seen.add(t.dtype());
                float[] w = Decoders.decodeAll(t);
                int rows = (int) t.shape().rows(), cols = (int) t.shape().rowLength();
                Activation x = Activation.of(KernelsTest.activation(t.name().hashCode(), cols));
                double[] y = KernelsTest.activationForm(t.dtype(), x);
                List<WeightMatrix> kernels = new ArrayList<>(List.of(KernelsTest.kernels(t)));
                if (Kernels.vectorized() && PackedKernel.packs(t.dtype())) kernels.add(Kernels.packed(t, copies));
                for (WeightMatrix m : kernels) {
                    float[] out = new float[rows];
                    m.matvec(x, out, 0, rows);
                    for (int r = 0; r < rows; r += Math.max(1, rows / 13)) {
                        double exact = 0, mag = 0;
                        for (int i = 0; i < cols; i++) {
                            double p = (double) w[r * cols + i] * y[i];
                            exact += p;
                            mag += Math.abs(p);
                        }
                        assertEquals(exact, out[r], 2e-6 * mag, t.name() + " " + t.dtype() + " row " + r);
                    }
                }
            }
        }
        assertFalse(seen.isEmpty(), "no matrix of a supported type in " + file);
    }
}
