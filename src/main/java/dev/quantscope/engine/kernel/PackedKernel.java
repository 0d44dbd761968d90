package dev.quantscope.engine.kernel;

import dev.quantscope.format.MappedPages;
import dev.quantscope.tensor.DType;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Objects;

/**
 * A weight matrix whose rows were regrouped at load, {@link #G} rows at a time, so that one vector lane is one
 * output row, as ggml's {@code repack.cpp} does ({@code q4_0x8}, {@code q4_Kx8}): a group's products then need no
 * horizontal sum per block, its scales for {@code G} rows are one vector load, and the weights of a group are read
 * as one sequential stream. Codes and scales stay the file's (4-bit codes stay 4-bit, F16 scales become the floats
 * they denote), only reordered; the mapped file is not touched, and the copy lives in the caller's arena.
 *
 * <p>Products are formed in 16-bit lanes ({@code vpmullw}): a code times an 8-bit activation code fits in 16 bits,
 * and a lane sums as many of them as cannot overflow before it is widened to 32 bits once per group of columns.
 * That is ggml's integer dot product, exact, in about half the vector operations per weight of widening every code to
 * a float (measured in {@code ../shared/notes/kernel-probe.md}). Each lane pair (2i, 2i + 1) of 16-bit lanes belongs
 * to row i of the group: the even lane takes even columns, the odd lane odd ones, and one broadcast int of two
 * activation codes ({@link Activation#pairs}) serves both.
 *
 * <p>Each kernel spells out its 16 products per 32 columns in its own group loop, although PackedQ4_0 and PackedQ4_K
 * share them: moved into one static helper, even one the launcher force-inlines (CompileCommand inline), the
 * helper's vectors were boxed and generation allocated 98-116 MB per token (bench --json, Q4_0 and Q4_K_M).
 *
 * <p>Single tokens (generation) run here; batches of tokens go to the row kernel on the mapped file, whose batched
 * path decodes each row once for the whole batch.
 */
abstract sealed class PackedKernel implements WeightMatrix permits PackedQ4_0, PackedQ4_K, PackedQ6_K,
        PackedQ2_K, PackedQ3_K, PackedQ5_K, PackedQ4_1, PackedQ5_0, PackedQ5_1 {
    /** Rows per group: one per float lane (16 on AVX-512, 8 on AVX2). */
    static final int G = VectorKernels.L;
    /** 16-bit lanes in a vector as wide as the float vectors: 2G of them, two per row of a group. */
    static final VectorSpecies<Short> SHORTS = VectorSpecies.of(short.class, VectorKernels.F.vectorShape());
    /** Byte lanes as many as the group's rows (for per-row byte scales widened to int lanes). */
    static final VectorSpecies<Byte> BG = VectorSpecies.of(byte.class, VectorShape.forBitSize(G * 8));

    final RowKernel base;
    final int rows;
    final int cols;
    final int groups;
    /** Bytes of one group's whole stream (all its blocks). */
    final long groupBytes;
    final MemorySegment packed;

    /** A thread that is not the caller, never started: asks whether a segment is confined. */
    private static final Thread ANOTHER_THREAD = Thread.ofPlatform().unstarted(() -> {});

    /** Per-thread results of a group that is only partly inside the asked row range. */
    private static final ThreadLocal<float[]> PARTIAL = ThreadLocal.withInitial(() -> new float[G]);

    PackedKernel(RowKernel base, Arena arena) {
        this.base = base;
        this.rows = base.rows;
        this.cols = base.cols;
        this.groups = (rows + G - 1) / G;
        long bytes = copyBytes(base.dtype, rows, cols);
        this.groupBytes = bytes / groups;
        Math.toIntExact(groupBytes); // one group's stream is built in a heap array
        this.packed = arena.allocate(bytes, 64);
    }

    /** Bytes of the interleaved copy of a {@code rows} × {@code cols} matrix of {@code type} (one with a kernel here). */
    static long copyBytes(DType type, long rows, long cols) {
        long perBlock = switch (type) { // bytes of one block of the file's columns for the G rows of a group
            case Q2_K -> PackedQ2_K.BLOCK;
            case Q3_K -> PackedQ3_K.BLOCK;
            case Q4_0 -> PackedQ4_0.BLOCK;
            case Q4_1 -> PackedQ4_1.BLOCK;
            case Q4_K -> PackedQ4_K.BLOCK;
            case Q5_0 -> PackedQ5_0.BLOCK;
            case Q5_1 -> PackedQ5_1.BLOCK;
            case Q5_K -> PackedQ5_K.BLOCK;
            case Q6_K -> PackedQ6_K.BLOCK;
            default -> throw new IllegalArgumentException("no interleaved kernel for " + type);
        };
        return Math.multiplyExact(Math.ceilDiv(rows, G), Math.multiplyExact(perBlock, cols / type.blockElements()));
    }

    /** Whether {@code type} has an interleaved kernel. */
    static boolean packs(DType type) {
        return switch (type) {
            case Q4_0, Q4_K, Q6_K, Q2_K, Q3_K, Q5_K, Q4_1, Q5_0, Q5_1 -> true;
            default -> false;
        };
    }

    /** The interleaved kernel of {@code base}'s matrix, its copy allocated in {@code arena}. */
    static PackedKernel of(RowKernel base, Arena arena) {
        PackedKernel k = switch (base.dtype) {
            case Q4_0 -> new PackedQ4_0(base, arena);
            case Q4_K -> new PackedQ4_K(base, arena);
            case Q6_K -> new PackedQ6_K(base, arena);
            case Q2_K -> new PackedQ2_K(base, arena);
            case Q3_K -> new PackedQ3_K(base, arena);
            case Q5_K -> new PackedQ5_K(base, arena);
            case Q4_1 -> new PackedQ4_1(base, arena);
            case Q5_0 -> new PackedQ5_0(base, arena);
            case Q5_1 -> new PackedQ5_1(base, arena);
            default -> throw new IllegalArgumentException("no interleaved kernel for " + base.dtype);
        };
        // Whole rows copied to the heap in bulk, regrouped there, and the group copied out in bulk: element-wise
        // segment reads cost a call each until the JIT has compiled them, and allocate in the interpreter. Runs of
        // groups are packed in parallel (the common pool), each with its own scratch, unless the source or the copy is
        // confined to this thread.
        int runs = Math.max(1, Math.min(k.groups, 4 * Runtime.getRuntime().availableProcessors()));
        java.util.stream.IntStream all = java.util.stream.IntStream.range(0, runs);
        boolean shared = base.data.isAccessibleBy(ANOTHER_THREAD) && k.packed.isAccessibleBy(ANOTHER_THREAD);
        (shared ? all.parallel() : all).forEach(run -> {
            byte[][] rows = new byte[G][Math.toIntExact(base.rowBytes)];
            byte[] group = new byte[Math.toIntExact(k.groupBytes)];
            for (int g = (int) ((long) k.groups * run / runs); g < (int) ((long) k.groups * (run + 1) / runs); g++) {
                k.packGroup(g, rows, group);
            }
        });
        // generation reads only the copy: the file's pages need not stay resident beside it (a batch reads them again)
        MappedPages.release(base.data);
        return k;
    }

    /** Copies group {@code g}'s rows from the file and writes its stream, through the caller's scratch arrays. */
    private void packGroup(int g, byte[][] rowBytes, byte[] group) {
        for (int i = 0; i < G; i++) {
            int r = g * G + i;
            if (r < rows) MemorySegment.copy(base.data, ValueLayout.JAVA_BYTE, r * base.rowBytes, rowBytes[i], 0, rowBytes[i].length);
            else java.util.Arrays.fill(rowBytes[i], (byte) 0);
        }
        pack(rowBytes, group);
        MemorySegment.copy(group, 0, packed, ValueLayout.JAVA_BYTE, g * groupBytes, group.length);
    }

    @Override public final int rows() { return rows; }
    @Override public final int cols() { return cols; }
    @Override public final DType dtype() { return base.dtype; }

    @Override
    public final void matvec(Activation x, float[] out, int rowStart, int rowEnd) {
        Objects.checkFromToIndex(rowStart, rowEnd, Math.min(rows, out.length));
        if (x.length() != cols) throw new IllegalArgumentException("activation of " + x.length() + " for " + cols + " columns");
        base.prepare(x);
        for (int g = rowStart / G; g * G < rowEnd; g++) {
            int r0 = g * G;
            if (r0 >= rowStart && r0 + G <= rowEnd) {
                groupDot(x, g * groupBytes, out, r0);
            } else {
                float[] part = PARTIAL.get();
                groupDot(x, g * groupBytes, part, 0);
                for (int r = Math.max(r0, rowStart); r < Math.min(r0 + G, rowEnd); r++) out[r] = part[r - r0];
            }
        }
    }

    @Override
    public final void matmul(Activation[] xs, int t0, int t1, float[][] outs, int rowStart, int rowEnd) {
        if (t1 - t0 == 1) matvec(xs[t0], outs[t0], rowStart, rowEnd);
        else base.matmul(xs, t0, t1, outs, rowStart, rowEnd);
    }

    /**
     * Writes one group's stream into {@code out} from the file bytes of its G rows ({@code rows[i]}, all zeros for
     * rows past the matrix).
     */
    abstract void pack(byte[][] rows, byte[] out);

    /** {@code out[off + i] = dot(row gG + i, x)} for the G rows of the group whose stream starts at {@code at}. */
    abstract void groupDot(Activation x, long at, float[] out, int off);

    static int u8(byte[] b, int i) { return b[i] & 0xFF; }

    /** The F16 at {@code b[i]} (little-endian) as a float. */
    static float half(byte[] b, int i) { return Float.float16ToFloat((short) (u8(b, i) | b[i + 1] << 8)); }

    /**
     * Writes 32 columns of 4-bit codes {@code codes[i][c]} (row i of the group, column c, 0..15) as four chunks of
     * 2G 16-bit lanes from {@code at}: in chunk t, lane 2i + h belongs to row i and its nibble k holds column
     * 8t + 2k + h, so the activation pair for nibble k of chunk t is pair 4t + k of the 32 columns.
     */
    static void putNibbles(byte[] out, int at, int[][] codes) {
        for (int t = 0; t < 4; t++) {
            for (int i = 0; i < G; i++) {
                for (int h = 0; h < 2; h++) {
                    int lane = 0;
                    for (int k = 0; k < 4; k++) lane |= codes[i][8 * t + 2 * k + h] << 4 * k;
                    int o = at + 4 * G * t + 2 * (2 * i + h);
                    out[o] = (byte) lane;
                    out[o + 1] = (byte) (lane >>> 8);
                }
            }
        }
    }

    /** Writes {@code G} floats (little-endian) from {@code at}. */
    static void putFloats(byte[] out, int at, float[] v) {
        for (int i = 0; i < G; i++) {
            int bits = Float.floatToRawIntBits(v[i]);
            for (int k = 0; k < 4; k++) out[at + 4 * i + k] = (byte) (bits >>> 8 * k);
        }
    }

    /** Writes {@code G} bytes from {@code at}. */
    static void putBytes(byte[] out, int at, int[] v) {
        for (int i = 0; i < G; i++) out[at + i] = (byte) v[i];
    }
}
