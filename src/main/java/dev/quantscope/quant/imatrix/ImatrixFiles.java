package dev.quantscope.quant.imatrix;

import dev.quantscope.format.ByteCursor;
import dev.quantscope.format.MappedFile;
import dev.quantscope.format.ModelFormatException;
import dev.quantscope.format.gguf.GgufArray;
import dev.quantscope.format.gguf.GgufFile;
import dev.quantscope.format.gguf.GgufKv;
import dev.quantscope.format.gguf.GgufOutput;
import dev.quantscope.format.gguf.GgufOutputTensor;
import dev.quantscope.format.gguf.GgufReader;
import dev.quantscope.format.gguf.GgufTensorEntry;
import dev.quantscope.format.gguf.GgufValueType;
import dev.quantscope.format.gguf.GgufWriter;
import dev.quantscope.tensor.DType;
import dev.quantscope.tensor.Layouts;
import dev.quantscope.task.ProgressMonitor;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Reads and writes llama.cpp's importance-matrix files. The current format is GGUF: general.type "imatrix",
 * {@code imatrix.datasets} (strings), {@code imatrix.chunk_count} and {@code imatrix.chunk_size} (UINT32), and per
 * weight tensor two F32 tensors {@code <name>.in_sum2} [columns, matrices] and {@code <name>.counts} [1, matrices]
 * (newer files add {@code <name>.in_sum}, the plain sums, which quantization does not use). The legacy {@code .dat}
 * format is a little-endian stream: int32 entry count; per entry int32 name length, the name, int32 ncall,
 * int32 nval, nval float32 means × ncall; then int32 last chunk and int32 length + dataset name.
 */
public final class ImatrixFiles {
    private ImatrixFiles() {}

    static final String KEY_TYPE = "general.type";
    static final String KEY_DATASETS = "imatrix.datasets";
    static final String KEY_CHUNK_COUNT = "imatrix.chunk_count";
    static final String KEY_CHUNK_SIZE = "imatrix.chunk_size";
    static final String SUMS2 = ".in_sum2";
    static final String SUMS = ".in_sum";
    static final String COUNTS = ".counts";
    private static final int GGUF_MAGIC = 0x46554747; // "GGUF" little-endian

    /** Reads either format, told apart by the GGUF magic. */
    public static ImportanceMatrix read(Path file) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = MappedFile.map(file, arena);
            if (seg.byteSize() >= 4 && seg.get(Layouts.I32, 0) == GGUF_MAGIC) return readGguf(file, seg);
            return readLegacy(file, seg);
        }
    }

    private static ImportanceMatrix readGguf(Path file, MemorySegment seg) throws ModelFormatException {
        GgufFile gguf = GgufReader.parse(file, seg);
        Optional<GgufKv> type = gguf.kv(KEY_TYPE);
        if (type.isPresent() && !"imatrix".equals(type.get().value())) {
            throw new ModelFormatException(file, KEY_TYPE, -1, "is '" + type.get().value() + "', not 'imatrix'");
        }
        int chunkCount = u32(file, gguf, KEY_CHUNK_COUNT, true);
        int chunkSize = u32(file, gguf, KEY_CHUNK_SIZE, false);
        List<String> datasets = new ArrayList<>();
        Optional<GgufKv> ds = gguf.kv(KEY_DATASETS);
        if (ds.isPresent()) {
            if (!(ds.get().value() instanceof GgufArray a) || a.elementType() != GgufValueType.STRING) {
                throw new ModelFormatException(file, KEY_DATASETS, -1, "is not an array of strings");
            }
            for (Object o : a) datasets.add((String) o);
        }

        Map<String, GgufTensorEntry> sums2 = new TreeMap<>();
        Map<String, GgufTensorEntry> counts = new HashMap<>();
        Map<String, GgufTensorEntry> sums = new HashMap<>();
        for (GgufTensorEntry t : gguf.tensors()) {
            String name = t.name();
            if (name.endsWith(SUMS2)) sums2.put(strip(name, SUMS2), t);
            else if (name.endsWith(COUNTS)) counts.put(strip(name, COUNTS), t);
            else if (name.endsWith(SUMS)) sums.put(strip(name, SUMS), t);
            // other tensors are ignored, as llama.cpp does
        }
        if (sums2.isEmpty()) throw new ModelFormatException(file, "tensors", -1, "no <tensor>" + SUMS2 + " entries");
        for (String name : counts.keySet()) {
            if (!sums2.containsKey(name)) {
                throw new ModelFormatException(file, "tensor '" + name + COUNTS + "'", -1, "has no " + SUMS2);
            }
        }

        Map<String, ImportanceMatrix.Entry> entries = new LinkedHashMap<>();
        for (Map.Entry<String, GgufTensorEntry> e : sums2.entrySet()) {
            String name = e.getKey();
            GgufTensorEntry s2 = e.getValue();
            GgufTensorEntry c = counts.get(name);
            if (c == null) throw new ModelFormatException(file, "tensor '" + name + SUMS2 + "'", -1, "has no " + COUNTS);
            float[] sumValues = floats(file, gguf, seg, s2);
            float[] countValues = floats(file, gguf, seg, c);
            long matrices = s2.ne().length > 1 ? product(s2.ne(), 1) : 1;
            if (countValues.length != matrices || sumValues.length % countValues.length != 0) {
                throw new ModelFormatException(file, "tensor '" + c.name() + "'", dataOffset(gguf, c),
                        countValues.length + " counts for " + matrices + " matrices of sums");
            }
            GgufTensorEntry s = sums.get(name);
            if (s != null && product(s.ne(), 0) != sumValues.length) {
                throw new ModelFormatException(file, "tensor '" + s.name() + "'", dataOffset(gguf, s),
                        "has " + product(s.ne(), 0) + " values, " + SUMS2 + " has " + sumValues.length);
            }
            checkNonNegative(file, gguf, s2, sumValues);
            checkNonNegative(file, gguf, c, countValues);
            entries.put(name, new ImportanceMatrix.Entry(sumValues, countValues));
        }
        return new ImportanceMatrix(entries, chunkCount, chunkSize, datasets);
    }

    private static String strip(String name, String suffix) {
        return name.substring(0, name.length() - suffix.length());
    }

    private static int u32(Path file, GgufFile gguf, String key, boolean required) throws ModelFormatException {
        Optional<GgufKv> kv = gguf.kv(key);
        if (kv.isEmpty()) {
            if (required) throw new ModelFormatException(file, key, -1, "missing: not an importance matrix file");
            return 0;
        }
        if (!(kv.get().value() instanceof Long v) || kv.get().type() == GgufValueType.FLOAT32
                || kv.get().type() == GgufValueType.FLOAT64 || v < 0 || v > Integer.MAX_VALUE) {
            throw new ModelFormatException(file, key, -1, "must be a non-negative integer, is " + kv.get().value());
        }
        return (int) (long) v;
    }

    private static long dataOffset(GgufFile gguf, GgufTensorEntry t) {
        return Math.addExact(gguf.dataOffset(), t.offset());
    }

    private static long product(long[] ne, int from) {
        long p = 1;
        for (int i = from; i < ne.length; i++) p = Math.multiplyExact(p, ne[i]);
        return p;
    }

    private static float[] floats(Path file, GgufFile gguf, MemorySegment seg, GgufTensorEntry t)
            throws ModelFormatException {
        long offset = dataOffset(gguf, t);
        if (t.ggmlType() != DType.F32.ggmlId()) {
            throw new ModelFormatException(file, "tensor '" + t.name() + "' type", -1,
                    "is ggml type " + t.ggmlType() + ", an importance matrix holds F32");
        }
        long n = product(t.ne(), 0);
        if (n > Integer.MAX_VALUE / 4) {
            throw new ModelFormatException(file, "tensor '" + t.name() + "'", offset, n + " values is too many");
        }
        // GgufReader.parse has checked that every tensor's data lies inside the file
        float[] out = new float[(int) n];
        MemorySegment.copy(seg, Layouts.F32, offset, out, 0, out.length);
        return out;
    }

    private static void checkNonNegative(Path file, GgufFile gguf, GgufTensorEntry t, float[] v)
            throws ModelFormatException {
        for (int i = 0; i < v.length; i++) {
            if (!(v[i] >= 0) || Float.isInfinite(v[i])) {
                throw new ModelFormatException(file, "tensor '" + t.name() + "' value " + i,
                        dataOffset(gguf, t) + 4L * i, v[i] + " is not a finite value >= 0");
            }
        }
    }

    private static ImportanceMatrix readLegacy(Path file, MemorySegment seg) throws ModelFormatException {
        ByteCursor in = new ByteCursor(file, seg, 0);
        int n = in.i32("n_entries");
        // an entry takes at least 4 (name length) + 1 (name) + 4 (ncall) + 4 (nval) + 4 (one value) bytes
        if (n < 1 || n > in.remaining() / 17) {
            throw in.error("n_entries", 0, n + " entries cannot fit in a file of " + in.size() + " bytes");
        }
        Map<String, ImportanceMatrix.Entry> entries = new LinkedHashMap<>();
        int maxCalls = 0;
        for (int i = 0; i < n; i++) {
            long at = in.position();
            int len = in.i32("entry " + i + " name length");
            if (len < 1 || len > in.remaining()) {
                throw in.error("entry " + i + " name length", at, len + " is not a valid name length");
            }
            String name = in.utf8(len, "entry " + i + " name");
            long callsAt = in.position();
            int ncall = in.i32("entry '" + name + "' ncall");
            if (ncall < 0) throw in.error("entry '" + name + "' ncall", callsAt, "negative: " + ncall);
            long nvalAt = in.position();
            int nval = in.i32("entry '" + name + "' nval");
            if (nval < 1 || nval > in.remaining() / 4) {
                throw in.error("entry '" + name + "' nval", nvalAt, nval + " values cannot fit in the file");
            }
            float[] values = new float[nval];
            for (int j = 0; j < nval; j++) {
                long vAt = in.position();
                float v = in.f32("entry '" + name + "' value " + j);
                if (!(v >= 0) || Float.isInfinite(v)) {
                    throw in.error("entry '" + name + "' value " + j, vAt, v + " is not a finite value >= 0");
                }
                values[j] = v;
            }
            if (entries.containsKey(name)) throw in.error("entry " + i + " name", at, "'" + name + "' appears twice");
            // legacy values are means × ncall, and llama-quantize divides by ncall again (by nothing when it is 0)
            entries.put(name, new ImportanceMatrix.Entry(values, new float[] {ncall > 0 ? ncall : 1}));
            maxCalls = Math.max(maxCalls, ncall);
        }
        int chunks = maxCalls;
        List<String> datasets = new ArrayList<>();
        if (in.remaining() > 0) {
            long at = in.position();
            int lastCall = in.i32("last_call");
            if (lastCall < 0) throw in.error("last_call", at, "negative: " + lastCall);
            chunks = lastCall;
            if (in.remaining() > 0) {
                long lenAt = in.position();
                int len = in.i32("dataset name length");
                if (len < 0 || len > in.remaining()) {
                    throw in.error("dataset name length", lenAt, len + " is not a valid length");
                }
                if (len > 0) datasets.add(in.utf8(len, "dataset name"));
            }
            if (in.remaining() != 0) {
                throw in.error("end of file", in.position(), in.remaining() + " unexpected bytes after the dataset name");
            }
        }
        return new ImportanceMatrix(entries, chunks, 0, datasets);
    }

    /**
     * Writes {@code matrix} in llama.cpp's GGUF imatrix format, as {@code llama-imatrix} does: tensors sorted by
     * name, in_sum2 then counts for each. The file is written to a temporary file, verified and renamed.
     */
    public static void writeGguf(ImportanceMatrix matrix, Path target) throws IOException {
        List<GgufKv> metadata = List.of(
                new GgufKv(KEY_TYPE, GgufValueType.STRING, "imatrix"),
                new GgufKv(KEY_DATASETS, GgufValueType.ARRAY,
                        new GgufArray(GgufValueType.STRING, matrix.datasets().toArray(String[]::new))),
                new GgufKv(KEY_CHUNK_COUNT, GgufValueType.UINT32, (long) matrix.chunkCount()),
                new GgufKv(KEY_CHUNK_SIZE, GgufValueType.UINT32, (long) matrix.chunkSize()));
        List<GgufOutputTensor> tensors = new ArrayList<>();
        for (Map.Entry<String, ImportanceMatrix.Entry> e : matrix.entries().entrySet()) {
            ImportanceMatrix.Entry entry = e.getValue();
            long rows = entry.matrices();
            tensors.add(new GgufOutputTensor(e.getKey() + SUMS2, new long[] {entry.rowLength(), rows}, DType.F32,
                    littleEndian(entry.sums())));
            tensors.add(new GgufOutputTensor(e.getKey() + COUNTS, new long[] {1, rows}, DType.F32,
                    littleEndian(entry.counts())));
        }
        GgufWriter.write(new GgufOutput(metadata, tensors), target, List.of(), ProgressMonitor.NONE);
    }

    private static MemorySegment littleEndian(float[] values) {
        MemorySegment seg = MemorySegment.ofArray(new byte[Math.multiplyExact(values.length, 4)]);
        MemorySegment.copy(values, 0, seg, Layouts.F32, 0, values.length);
        return seg;
    }
}
