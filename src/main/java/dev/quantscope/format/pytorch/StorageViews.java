package dev.quantscope.format.pytorch;

import dev.quantscope.format.ModelFormatException;
import dev.quantscope.format.pytorch.PyValues.StorageRef;
import dev.quantscope.format.pytorch.PyValues.TensorRef;
import dev.quantscope.tensor.DType;
import dev.quantscope.tensor.Shape;
import dev.quantscope.tensor.TensorInfo;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns tensors (storage, offset, size, stride) into {@link TensorInfo}s over the archive's stored storages.
 * A contiguous tensor is a zero-copy view of the mapped file. A non-contiguous one (a transpose, an expand, a
 * strided slice) is gathered element by element into a row-major copy in the model's arena, because handing out
 * the raw storage range would give wrong values; such copies are capped so a hostile stride-0 expand cannot
 * allocate without bound, and their names are reported.
 */
final class StorageViews {
    static final long MIN_COPY_BUDGET = 64L << 20;

    private final Path file;
    private final ZipArchive zip;
    private final String prefix;
    private final Arena arena;
    private final Map<String, MemorySegment> storages = new HashMap<>();
    private final List<String> copied = new ArrayList<>();
    private long copyBudget;

    StorageViews(Path file, ZipArchive zip, String prefix, Arena arena, long fileSize) {
        this.file = file;
        this.zip = zip;
        this.prefix = prefix;
        this.arena = arena;
        this.copyBudget = Math.max(MIN_COPY_BUDGET, fileSize);
    }

    /** Names of non-contiguous tensors that were copied into row-major order. */
    List<String> copied() { return copied; }

    String entryName(String key) { return prefix.isEmpty() ? "data/" + key : prefix + "/data/" + key; }

    TensorInfo view(String name, TensorRef t) throws ModelFormatException {
        StorageRef s = t.storage();
        MemorySegment storage = storage(s);
        DType dtype = t.dtype();
        long elem = dtype.byteSize(1);
        Shape shape = Shape.rowMajor(t.size());
        long elements = shape.elementCount();
        long bytes = Math.multiplyExact(elements, elem);
        if (elements == 0) return new TensorInfo(name, shape, dtype, 0, storage.asSlice(0, 0));
        String field = "tensor '" + RestrictedUnpickler.printable(name) + "'";
        // The unpickler checked the extent against the declared storage size, and storage() checked the entry
        // holds that many bytes; check again here so this class stands on its own.
        long last = t.offset();
        for (int d = 0; d < t.size().length; d++) last = Math.addExact(last, Math.multiplyExact(t.size()[d] - 1, t.stride()[d]));
        if (Math.multiplyExact(last + 1, elem) > storage.byteSize()) {
            throw new ModelFormatException(file, field, -1, "reaches past the end of storage '"
                    + RestrictedUnpickler.printable(s.key()) + "' (" + storage.byteSize() + " bytes)");
        }
        if (contiguous(t.size(), t.stride())) {
            return new TensorInfo(name, shape, dtype, bytes, storage.asSlice(Math.multiplyExact(t.offset(), elem), bytes));
        }
        if (bytes > copyBudget) {
            throw new ModelFormatException(file, field, -1, "is non-contiguous and its row-major copy would take "
                    + bytes + " bytes, more than the " + copyBudget + " bytes left for such copies");
        }
        copyBudget -= bytes;
        MemorySegment dst = arena.allocate(bytes, 16);
        gather(storage, t, elem, dst);
        copied.add(name);
        return new TensorInfo(name, shape, dtype, bytes, dst);
    }

    /** Row-major contiguity; dims of size 1 may have any stride, as torch allows. */
    static boolean contiguous(long[] size, long[] stride) {
        long expected = 1;
        for (int d = size.length - 1; d >= 0; d--) {
            if (size[d] != 1 && stride[d] != expected) return false;
            expected = Math.multiplyExact(expected, size[d]);
        }
        return true;
    }

    /** Copies the strided elements in row-major order, a whole innermost row at a time when it is dense. */
    private static void gather(MemorySegment src, TensorRef t, long elem, MemorySegment dst) {
        long[] size = t.size();
        long[] stride = t.stride();
        int rank = size.length;
        long inner = rank == 0 ? 1 : size[rank - 1];
        long innerStride = rank == 0 ? 1 : stride[rank - 1];
        long[] index = new long[Math.max(0, rank - 1)];
        long out = 0;
        while (true) {
            long base = t.offset();
            for (int d = 0; d < index.length; d++) base += index[d] * stride[d];
            if (innerStride == 1) {
                MemorySegment.copy(src, base * elem, dst, out, inner * elem);
                out += inner * elem;
            } else {
                for (long i = 0; i < inner; i++) {
                    MemorySegment.copy(src, (base + i * innerStride) * elem, dst, out, elem);
                    out += elem;
                }
            }
            int d = index.length - 1;
            while (d >= 0 && ++index[d] == size[d]) index[d--] = 0;
            if (d < 0) return;
        }
    }

    private MemorySegment storage(StorageRef s) throws ModelFormatException {
        MemorySegment cached = storages.get(s.key());
        String name = entryName(s.key());
        if (cached == null) {
            ZipEntry e = zip.entry(name).orElseThrow(() -> new ModelFormatException(file, name, -1,
                    "the pickle refers to storage '" + RestrictedUnpickler.printable(s.key())
                            + "' but the archive has no such entry"));
            cached = zip.storedData(e);
            storages.put(s.key(), cached);
        }
        long declared = s.untyped() ? s.numel() : Math.multiplyExact(s.numel(), s.dtype().byteSize(1));
        if (declared > cached.byteSize()) {
            throw new ModelFormatException(file, name, -1, "holds " + cached.byteSize() + " bytes but the pickle declares "
                    + s.numel() + (s.untyped() ? " bytes" : " " + s.dtype() + " elements (" + declared + " bytes)"));
        }
        return cached;
    }
}
