package dev.quantscope.engine.kernel;

import dev.quantscope.tensor.DType;
import dev.quantscope.tensor.TensorInfo;

import java.lang.foreign.Arena;
import java.util.EnumSet;
import java.util.Set;

/**
 * Chooses the kernel for a tensor's dtype: the Vector API kernel when jdk.incubator.vector is loaded and the
 * CPU has at least 256-bit vectors, else the scalar reference kernel. The system property
 * {@code quantscope.vector=false} forces the scalar kernels (the same switch the dequantizers obey).
 */
public final class Kernels {
    private Kernels() {}

    private static final Set<DType> SUPPORTED = EnumSet.of(DType.F32, DType.F16, DType.BF16,
            DType.Q8_0, DType.Q4_0, DType.Q4_1, DType.Q5_0, DType.Q5_1, DType.IQ4_NL,
            DType.Q2_K, DType.Q3_K, DType.Q4_K, DType.Q5_K, DType.Q6_K);

    private static final boolean VECTOR = vectorAvailable();

    /** The dtypes a {@link WeightMatrix} can be made of. */
    public static Set<DType> supportedTypes() { return Set.copyOf(SUPPORTED); }

    public static boolean supports(DType type) { return SUPPORTED.contains(type); }

    /** Whether {@link #matrix} hands out Vector API kernels on this JVM. */
    public static boolean vectorized() { return VECTOR; }

    /** Float lanes of the Vector API kernels (0 when they are not used). */
    public static int vectorLanes() { return VECTOR ? VectorKernels.L : 0; }

    static WeightMatrix matrix(TensorInfo t) {
        return VECTOR ? VectorKernels.create(t) : ScalarKernels.create(t);
    }

    /**
     * Whether the engine's matrices of the types that have one use an interleaved copy ({@link PackedKernel}); the
     * system property {@code quantscope.kernel.packed=false} keeps every matrix on the mapped file, to compare.
     */
    private static final boolean PACKED = Boolean.parseBoolean(System.getProperty("quantscope.kernel.packed", "true"));

    /** Like {@link #matrix(TensorInfo)}, with the rows interleaved into a copy in {@code arena} where that is faster. */
    static WeightMatrix matrix(TensorInfo t, Arena arena) {
        return copies(t.dtype()) ? packed(t, arena) : matrix(t);
    }

    /** Whether {@link #matrix(TensorInfo, Arena)} makes a copy of a matrix of {@code type}. */
    public static boolean copies(DType type) {
        return VECTOR && PACKED && PackedKernel.packs(type);
    }

    /** The interleaved kernel of {@code t}, copied into {@code arena} (tests, benchmarks). */
    public static WeightMatrix packed(TensorInfo t, Arena arena) {
        if (!VECTOR) throw new UnsupportedOperationException("Vector API kernels are not available on this JVM");
        return PackedKernel.of(VectorKernels.create(t), arena);
    }

    /** The scalar reference kernel (benchmarks, tests). */
    public static WeightMatrix scalar(TensorInfo t) {
        return ScalarKernels.create(t);
    }

    /**
     * The Vector API kernel (benchmarks, tests).
     * @throws UnsupportedOperationException when the Vector API is not available
     */
    public static WeightMatrix vector(TensorInfo t) {
        if (!VECTOR) throw new UnsupportedOperationException("Vector API kernels are not available on this JVM");
        return VectorKernels.create(t);
    }

    /**
     * {@code Σ x[xo + i] · y[yo + i]} for i in [0, n): the Vector API's lane-wise sums when the vector kernels are
     * in use (attention's key·query products), else summed in index order. The two orders differ in the last bits.
     */
    public static float dot(float[] x, int xo, float[] y, int yo, int n) {
        java.util.Objects.checkFromIndexSize(xo, n, x.length);
        java.util.Objects.checkFromIndexSize(yo, n, y.length);
        if (VECTOR) return VectorKernels.dot(x, xo, y, yo, n);
        float s = 0;
        for (int i = 0; i < n; i++) s += x[xo + i] * y[yo + i];
        return s;
    }

    /**
     * {@code y[yo + i] += a · x[xo + i]} for i in [0, n): a multiplication then an addition per element, in
     * Vector API lanes when the vector kernels are in use, with the same result as the scalar loop either way.
     */
    public static void addScaled(float a, float[] x, int xo, float[] y, int yo, int n) {
        java.util.Objects.checkFromIndexSize(xo, n, x.length);
        java.util.Objects.checkFromIndexSize(yo, n, y.length);
        if (VECTOR) {
            VectorKernels.addScaled(a, x, xo, y, yo, n);
            return;
        }
        for (int i = 0; i < n; i++) y[yo + i] += a * x[xo + i];
    }

    private static boolean vectorAvailable() {
        if (!Boolean.parseBoolean(System.getProperty("quantscope.vector", "true"))) return false;
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) return false;
        return VectorKernels.worthwhile();
    }
}
