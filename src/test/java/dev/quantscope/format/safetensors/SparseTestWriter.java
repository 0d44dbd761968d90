package dev.quantscope.format.safetensors;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes a dense tensor the way compressed-tensors' sparse compressors store it, for tests: the same tensors,
 * names, dtypes, shapes and bytes as {@code BitmaskTensor.dict} and {@code Sparse24BitMaskTensor.dict} after
 * {@code BaseSparseCompressor.compress} (the name's {@code .weight} taken off). The bitmask is numpy's
 * {@code packbits(axis=-1, bitorder="little")}; the 2:4 mask keeps the two largest magnitudes of each group of
 * four (ties to the lower index). {@code SparseReferenceTest} checks these bytes against the library's layout.
 *
 * <p>Values are given as floats and stored as F32 or F16 (F16 from {@link Float#floatToFloat16}).
 */
final class SparseTestWriter {
    private SparseTestWriter() {}

    /** One tensor to write: safetensors dtype name, shape, little-endian bytes. */
    record Part(String dtype, long[] shape, byte[] bytes) {}

    /** The name prefix the library writes a weight under: its name without {@code .weight}. */
    static String prefix(String name) {
        return name.endsWith(".weight") ? name.substring(0, name.length() - ".weight".length()) : name;
    }

    /** sparse-bitmask: {@code P.shape}, {@code P.compressed}, {@code P.bitmask}, {@code P.row_offsets}. */
    static Map<String, Part> bitmask(String prefix, String dtype, long[] dims, float[] dense) {
        boolean[] mask = new boolean[dense.length];
        for (int i = 0; i < dense.length; i++) mask[i] = dense[i] != 0;
        return bitmask(prefix, dtype, dims, encode(dtype, dense), mask);
    }

    /** sparse-bitmask of raw elements of {@code elementBytes} each (BF16, FP8, integers): kept where not all bytes are 0. */
    static Map<String, Part> bitmaskOfBytes(String prefix, String dtype, long[] dims, byte[] dense, int elementBytes) {
        boolean[] mask = new boolean[dense.length / elementBytes];
        for (int i = 0; i < mask.length; i++) {
            for (int b = 0; b < elementBytes; b++) mask[i] |= dense[i * elementBytes + b] != 0;
        }
        return bitmask(prefix, dtype, dims, dense, mask);
    }

    private static Map<String, Part> bitmask(String prefix, String dtype, long[] dims, byte[] dense, boolean[] mask) {
        int cols = (int) dims[dims.length - 1];
        int rows = cols == 0 ? 0 : mask.length / cols;
        long[] rowOffsets = new long[rows];
        long kept = 0;
        for (int r = 0; r < rows; r++) {
            rowOffsets[r] = kept;
            for (int c = 0; c < cols; c++) if (mask[r * cols + c]) kept++;
        }
        Map<String, Part> out = new LinkedHashMap<>();
        out.put(prefix + ".shape", new Part("I64", new long[] {dims.length}, SafetensorsTestWriter.i64(dims)));
        out.put(prefix + ".compressed", new Part(dtype, new long[] {kept}, kept(dense, mask)));
        out.put(prefix + ".bitmask", packed(mask, dims, rows, cols));
        // torch.cumsum of a 1-D tensor's row count (a scalar) is a scalar: a 1-D weight's offsets have shape []
        long[] offsetsShape = dims.length == 1 ? new long[0] : Arrays.copyOf(dims, dims.length - 1);
        out.put(prefix + ".row_offsets", new Part("I64", offsetsShape, SafetensorsTestWriter.i64(rowOffsets)));
        return out;
    }

    /** sparse-24-bitmask: {@code P.shape} as [2, 1], {@code P.compressed} as [rows, cols / 2], {@code P.bitmask}. */
    static Map<String, Part> sparse24(String prefix, String dtype, long rows, long cols, float[] dense) {
        boolean[] mask = new boolean[dense.length];
        for (int g = 0; g < dense.length; g += 4) {
            Integer[] order = {0, 1, 2, 3};
            final int base = g;
            Arrays.sort(order, (a, b) -> Float.compare(Math.abs(dense[base + b]), Math.abs(dense[base + a])));
            mask[g + order[0]] = true;
            mask[g + order[1]] = true;
        }
        Map<String, Part> out = new LinkedHashMap<>();
        out.put(prefix + ".shape", new Part("I64", new long[] {2, 1}, SafetensorsTestWriter.i64(rows, cols)));
        out.put(prefix + ".compressed", new Part(dtype, new long[] {rows, cols / 2}, kept(encode(dtype, dense), mask)));
        out.put(prefix + ".bitmask", packed(mask, new long[] {rows, cols}, (int) rows, (int) cols));
        return out;
    }

    static SafetensorsTestWriter write(SafetensorsTestWriter w, Map<String, Part> parts) {
        parts.forEach((name, p) -> w.tensor(name, p.dtype(), p.shape(), p.bytes()));
        return w;
    }

    static byte[] encode(String dtype, float[] values) {
        return switch (dtype) {
            case "F32" -> SafetensorsTestWriter.f32(values);
            case "F16" -> {
                int[] bits = new int[values.length];
                for (int i = 0; i < values.length; i++) bits[i] = Float.floatToFloat16(values[i]);
                yield SafetensorsTestWriter.u16(bits);
            }
            default -> throw new IllegalArgumentException("F32 or F16, not " + dtype);
        };
    }

    /** The elements the mask keeps, in order, as raw bytes. */
    private static byte[] kept(byte[] dense, boolean[] mask) {
        int size = dense.length / Math.max(1, mask.length);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < mask.length; i++) if (mask[i]) out.write(dense, i * size, size);
        return out.toByteArray();
    }

    /** numpy.packbits(mask, axis=-1, bitorder="little"): each row padded with zero bits to whole bytes. */
    private static Part packed(boolean[] mask, long[] dims, int rows, int cols) {
        int perRow = (cols + 7) / 8;
        byte[] bytes = new byte[rows * perRow];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                if (mask[r * cols + c]) bytes[r * perRow + c / 8] |= (byte) (1 << (c % 8));
            }
        }
        long[] shape = dims.clone();
        shape[shape.length - 1] = perRow;
        return new Part("U8", shape, bytes);
    }
}
