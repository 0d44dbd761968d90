package dev.quantscope.format.gguf;

import dev.quantscope.format.ByteCursor;
import dev.quantscope.format.FileStart;
import dev.quantscope.format.MappedFile;
import dev.quantscope.format.Model;
import dev.quantscope.format.ModelFormat;
import dev.quantscope.format.ModelFormatException;
import dev.quantscope.tensor.DType;
import dev.quantscope.tensor.Shape;
import dev.quantscope.tensor.TensorInfo;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads GGUF v2 and v3 files (llama.cpp's format) by memory-mapping them. Every count, length, dimension and
 * offset is checked against the file's size with overflow-checked arithmetic before it is used, so a truncated or
 * hostile file fails with a {@link ModelFormatException} rather than a crash or a huge allocation.
 */
public final class GgufReader {
    private GgufReader() {}

    static final int MAGIC = 0x46554747; // "GGUF" little-endian
    static final int DEFAULT_ALIGNMENT = 32;
    static final int MAX_ALIGNMENT = 1 << 20;
    static final int MAX_KEY_BYTES = 65_535;
    static final int MAX_ARRAY_DEPTH = 8;

    public static Model open(Path file) throws IOException {
        Arena arena = Arena.ofShared();
        try {
            MemorySegment seg = MappedFile.map(file, arena);
            GgufFile gguf = parse(file, seg);
            List<TensorInfo> tensors = new ArrayList<>(gguf.tensors().size());
            for (GgufTensorEntry e : gguf.tensors()) {
                DType type = DType.ofGgmlId(e.ggmlType()).orElseThrow();
                long bytes = byteSize(e.ne(), type);
                long start = gguf.dataOffset() + e.offset();
                tensors.add(new TensorInfo(e.name(), Shape.ggml(e.ne()), type, bytes, seg.asSlice(start, bytes)));
            }
            Map<String, Object> meta = new LinkedHashMap<>();
            for (GgufKv kv : gguf.metadata()) meta.put(kv.key(), plain(kv));
            return new Model(file, ModelFormat.GGUF, tensors, meta, arena, gguf);
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    /** Parses the header, metadata and tensor infos, validating all of them against the mapped file. */
    public static GgufFile parse(Path file, MemorySegment seg) throws ModelFormatException {
        ByteCursor in = new ByteCursor(file, seg, 0);
        if (seg.byteSize() < 4 || in.i32("magic") != MAGIC) {
            throw ModelFormatException.notOfKind(file, "a GGUF file",
                    FileStart.itStartsWith(seg, 4, "\"GGUF\""), "magic", 0);
        }
        long version = in.u32("version");
        if (version == 1) throw in.error("version", 4, "GGUF v1 is not supported; convert the file to v3");
        if (version != 2 && version != 3) throw in.error("version", 4, "unsupported GGUF version " + version);

        long tensorCount = in.u64AsLong("tensor_count");
        long kvCount = in.u64AsLong("metadata_kv_count");
        // Each tensor info takes at least 8 (name length) + 4 (n_dims) + 4 (type) + 8 (offset) bytes,
        // each key/value at least 8 (key length) + 4 (type) + 1 byte.
        if (tensorCount > in.remaining() / 24) {
            throw in.error("tensor_count", 8, tensorCount + " tensors cannot fit in a file of " + in.size() + " bytes");
        }
        if (kvCount > in.remaining() / 13) {
            throw in.error("metadata_kv_count", 16, kvCount + " key/values cannot fit in a file of " + in.size() + " bytes");
        }

        List<GgufKv> kvs = new ArrayList<>((int) kvCount);
        Set<String> keys = new HashSet<>();
        for (long i = 0; i < kvCount; i++) {
            long at = in.position();
            String key = string(in, "metadata key #" + i, MAX_KEY_BYTES);
            if (!keys.add(key)) throw in.error("metadata key '" + key + "'", at, "appears twice");
            long typeAt = in.position();
            long typeId = in.u32("type of '" + key + "'");
            GgufValueType type = GgufValueType.of(typeId)
                    .orElseThrow(() -> in.error("type of '" + key + "'", typeAt, "unknown value type " + typeId));
            kvs.add(new GgufKv(key, type, value(in, type, "'" + key + "'", 0)));
        }

        int alignment = DEFAULT_ALIGNMENT;
        for (GgufKv kv : kvs) {
            if (kv.key().equals("general.alignment")) {
                if (kv.type() != GgufValueType.UINT32) {
                    throw in.error("general.alignment", -1, "must be a UINT32, is " + kv.type());
                }
                long a = (Long) kv.value();
                if (a < 1 || a > MAX_ALIGNMENT || Long.bitCount(a) != 1) {
                    throw in.error("general.alignment", -1, a + " is not a power of two between 1 and " + MAX_ALIGNMENT);
                }
                alignment = (int) a;
            }
        }

        List<GgufTensorEntry> infos = new ArrayList<>((int) tensorCount);
        Set<String> names = new HashSet<>();
        for (long i = 0; i < tensorCount; i++) {
            long at = in.position();
            String name = string(in, "tensor name #" + i, MAX_KEY_BYTES);
            String field = "tensor '" + name + "'";
            if (!names.add(name)) throw in.error(field, at, "the name appears twice");
            long dimsAt = in.position();
            long nDims = in.u32(field + " n_dims");
            if (nDims > Shape.MAX_DIMS) throw in.error(field + " n_dims", dimsAt, nDims + " dims (at most " + Shape.MAX_DIMS + ")");
            long[] ne = new long[(int) nDims];
            long elements = 1;
            for (int d = 0; d < nDims; d++) {
                long dAt = in.position();
                ne[d] = in.i64(field + " ne[" + d + "]");
                if (ne[d] <= 0) throw in.error(field + " ne[" + d + "]", dAt, "dimension " + Long.toUnsignedString(ne[d]) + " must be > 0");
                try {
                    elements = Math.multiplyExact(elements, ne[d]);
                } catch (ArithmeticException overflow) {
                    throw in.error(field + " ne", dimsAt, "element count overflows");
                }
            }
            long typeAt = in.position();
            long typeId = in.u32(field + " type");
            DType type = DType.ofGgmlId(typeId)
                    .orElseThrow(() -> in.error(field + " type", typeAt, "unknown ggml type number " + typeId));
            long offAt = in.position();
            long offset = in.u64AsLong(field + " offset");
            if (nDims > 0 && ne[0] % type.blockElements() != 0) {
                throw in.error(field + " ne[0]", dimsAt, "row of " + ne[0] + " is not a whole number of "
                        + type + " blocks of " + type.blockElements());
            }
            if (nDims == 0 && type.blockElements() != 1) {
                throw in.error(field + " n_dims", dimsAt, "a scalar cannot be of block type " + type);
            }
            if (offset % alignment != 0) {
                throw in.error(field + " offset", offAt, "offset " + offset + " is not a multiple of the alignment " + alignment);
            }
            infos.add(new GgufTensorEntry(name, ne, (int) typeId, offset));
        }

        long dataOffset = alignUp(in.position(), alignment);
        if (tensorCount > 0 && dataOffset > in.size()) {
            throw in.error("tensor data", in.position(), "the file ends before the tensor data");
        }
        for (GgufTensorEntry e : infos) {
            DType type = DType.ofGgmlId(e.ggmlType()).orElseThrow();
            String field = "tensor '" + e.name() + "' data";
            long bytes;
            long end;
            try {
                bytes = byteSize(e.ne(), type);
                end = Math.addExact(Math.addExact(dataOffset, e.offset()), bytes);
            } catch (ArithmeticException overflow) {
                throw in.error(field, -1, "offset plus size overflows");
            }
            if (end > in.size()) {
                throw in.error(field, dataOffset + e.offset(), bytes + " bytes at data offset " + e.offset()
                        + " run past the end of the file (" + in.size() + " bytes; truncated?)");
            }
        }
        return new GgufFile((int) version, alignment, dataOffset, kvs, infos);
    }

    static long byteSize(long[] ne, DType type) {
        long elements = 1;
        for (long d : ne) elements = Math.multiplyExact(elements, d);
        return type.byteSize(elements);
    }

    static long alignUp(long pos, int alignment) {
        return Math.multiplyExact(Math.ceilDiv(pos, (long) alignment), (long) alignment);
    }

    private static String string(ByteCursor in, String field, long cap) throws ModelFormatException {
        long at = in.position();
        long len = in.u64AsLong(field + " length");
        if (len > cap) throw in.error(field, at, "length " + len + " exceeds the limit of " + cap);
        in.need(len, field);
        return new String(in.bytes(len, field), StandardCharsets.UTF_8);
    }

    private static Object value(ByteCursor in, GgufValueType type, String field, int depth) throws ModelFormatException {
        return switch (type) {
            case UINT8 -> (long) in.u8(field);
            case INT8 -> (long) in.i8(field);
            case UINT16 -> (long) (in.i16(field) & 0xFFFF);
            case INT16 -> (long) in.i16(field);
            case UINT32 -> in.u32(field);
            case INT32 -> (long) in.i32(field);
            case FLOAT32 -> shortestDouble(in.f32(field));
            case BOOL -> {
                long at = in.position();
                int b = in.u8(field);
                if (b > 1) throw in.error(field, at, "bool value " + b + " is neither 0 nor 1");
                yield b == 1;
            }
            case STRING -> string(in, field, in.size());
            case UINT64, INT64 -> in.i64(field);
            case FLOAT64 -> in.f64(field);
            case ARRAY -> array(in, field, depth);
        };
    }

    private static GgufArray array(ByteCursor in, String field, int depth) throws ModelFormatException {
        long at = in.position();
        if (depth >= MAX_ARRAY_DEPTH) throw in.error(field, at, "arrays nested deeper than " + MAX_ARRAY_DEPTH);
        long typeId = in.u32(field + " element type");
        GgufValueType et = GgufValueType.of(typeId)
                .orElseThrow(() -> in.error(field + " element type", at, "unknown value type " + typeId));
        long countAt = in.position();
        long n = in.u64AsLong(field + " length");
        if (n > in.remaining() / et.minBytes() || n > Integer.MAX_VALUE - 8) {
            throw in.error(field + " length", countAt, "array of " + n + " " + et + " values cannot fit in the file");
        }
        int count = (int) n;
        Object values = switch (et) {
            case UINT8, INT8, UINT16, INT16, UINT32, INT32, UINT64, INT64 -> {
                long[] a = new long[count];
                for (int i = 0; i < count; i++) a[i] = (Long) value(in, et, field, depth + 1);
                yield a;
            }
            case FLOAT32, FLOAT64 -> {
                double[] a = new double[count];
                for (int i = 0; i < count; i++) a[i] = (Double) value(in, et, field, depth + 1);
                yield a;
            }
            case BOOL -> {
                boolean[] a = new boolean[count];
                for (int i = 0; i < count; i++) a[i] = (Boolean) value(in, et, field, depth + 1);
                yield a;
            }
            case STRING -> {
                String[] a = new String[count];
                for (int i = 0; i < count; i++) a[i] = string(in, field + "[" + i + "]", in.size());
                yield a;
            }
            case ARRAY -> {
                GgufArray[] a = new GgufArray[count];
                for (int i = 0; i < count; i++) a[i] = array(in, field + "[" + i + "]", depth + 1);
                yield a;
            }
        };
        return new GgufArray(et, values);
    }

    /**
     * A float32 as the double with the float's shortest decimal form (1e-5, not 9.999999747378752E-6). Casting it
     * back to float gives the very same bits, so a writer loses nothing.
     */
    private static double shortestDouble(float f) {
        return Float.isFinite(f) ? Double.parseDouble(Float.toString(f)) : f;
    }

    /** The plain Java value of a key/value: UINT64 above Long.MAX_VALUE becomes a BigInteger. */
    static Object plain(GgufKv kv) {
        if (kv.type() == GgufValueType.UINT64 && kv.value() instanceof Long l && l < 0) {
            return new BigInteger(Long.toUnsignedString(l));
        }
        return kv.value();
    }
}
