package dev.quantscope.format.safetensors;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Where everything goes in a safetensors file, decided before a byte is written, the way the reference
 * implementation (huggingface/safetensors, {@code serialize}) lays a file out:
 * <ul>
 *   <li>tensors ordered by descending dtype (the reference's {@code Dtype} enum order, which is by alignment, so
 *       8-byte types come first and every tensor starts aligned to its element size), then by name compared as
 *       UTF-8 bytes;</li>
 *   <li>the header is compact JSON: {@code __metadata__} first (only when there is metadata, its keys sorted so the
 *       bytes do not depend on the map given), then the tensors in data order, each as
 *       {@code {"dtype":..,"shape":[..],"data_offsets":[begin,end]}};</li>
 *   <li>the JSON is padded with spaces to a multiple of 8 bytes, so the data buffer starts 8-aligned;</li>
 *   <li>the data is contiguous in header order, without gaps.</li>
 * </ul>
 * The same tensors and metadata always give the same bytes.
 *
 * @param header  the JSON header including its space padding (the 8-byte length prefix is not included)
 * @param tensors the tensors in data order
 * @param begins  each tensor's first byte, relative to the data buffer
 * @param dataLength bytes of the data buffer
 * @param metadata the {@code __metadata__} as written (sorted by key)
 */
public record SafetensorsWriterLayout(byte[] header, List<SafetensorsWriterTensor> tensors, long[] begins,
                                      long dataLength, Map<String, String> metadata) {

    /** Reference implementation's Dtype enum order (ascending); files list tensors in the reverse of it. */
    private static final List<SafetensorsDType> REFERENCE_ORDER = List.of(
            SafetensorsDType.BOOL, SafetensorsDType.F4, SafetensorsDType.F6_E2M3, SafetensorsDType.F6_E3M2,
            SafetensorsDType.U8, SafetensorsDType.I8, SafetensorsDType.F8_E5M2, SafetensorsDType.F8_E4M3,
            SafetensorsDType.F8_E8M0, SafetensorsDType.I16, SafetensorsDType.U16, SafetensorsDType.F16,
            SafetensorsDType.BF16, SafetensorsDType.I32, SafetensorsDType.U32, SafetensorsDType.F32,
            SafetensorsDType.C64, SafetensorsDType.F64, SafetensorsDType.I64, SafetensorsDType.U64);

    static {
        if (REFERENCE_ORDER.size() != SafetensorsDType.values().length) {
            throw new AssertionError("every safetensors dtype needs a place in the writer's order");
        }
    }

    /** Data order: descending dtype, then name as UTF-8 bytes (Rust compares Strings byte-wise). */
    public static final Comparator<SafetensorsWriterTensor> DATA_ORDER =
            Comparator.<SafetensorsWriterTensor>comparingInt(t -> -REFERENCE_ORDER.indexOf(t.dtype()))
                    .thenComparing((a, b) -> Arrays.compareUnsigned(utf8(a.name()), utf8(b.name())));

    public SafetensorsWriterLayout {
        header = header.clone();
        tensors = List.copyOf(tensors);
        begins = begins.clone();
        metadata = Collections.unmodifiableMap(new TreeMap<>(metadata));
    }

    @Override
    public byte[] header() { return header.clone(); }

    @Override
    public long[] begins() { return begins.clone(); }

    /** File offset of the data buffer: 8 bytes of length, then the header. */
    public long dataStart() { return 8L + header.length; }

    public long fileSize() { return Math.addExact(dataStart(), dataLength); }

    /** Lays out {@code tensors} (in any order) with {@code metadata}. */
    public static SafetensorsWriterLayout of(List<SafetensorsWriterTensor> tensors, Map<String, String> metadata) {
        Set<String> names = new HashSet<>();
        for (SafetensorsWriterTensor t : tensors) {
            if (!names.add(t.name())) throw new IllegalArgumentException("tensor '" + t.name() + "' is given twice");
        }
        List<SafetensorsWriterTensor> ordered = new ArrayList<>(tensors);
        ordered.sort(DATA_ORDER);
        TreeMap<String, String> meta = new TreeMap<>(metadata);

        long[] begins = new long[ordered.size()];
        long offset = 0;
        StringBuilder json = new StringBuilder("{");
        if (!meta.isEmpty()) {
            json.append("\"").append(SafetensorsHeaderParser.METADATA_KEY).append("\":{");
            boolean first = true;
            for (Map.Entry<String, String> e : meta.entrySet()) {
                if (!first) json.append(',');
                first = false;
                string(json, e.getKey()).append(':');
                string(json, e.getValue());
            }
            json.append('}');
        }
        for (int i = 0; i < ordered.size(); i++) {
            SafetensorsWriterTensor t = ordered.get(i);
            begins[i] = offset;
            long end = Math.addExact(offset, t.byteSize());
            if (json.length() > 1) json.append(',');
            string(json, t.name()).append(":{\"dtype\":\"").append(t.dtype().name()).append("\",\"shape\":[");
            long[] shape = t.shape();
            for (int d = 0; d < shape.length; d++) {
                if (d > 0) json.append(',');
                json.append(shape[d]);
            }
            json.append("],\"data_offsets\":[").append(offset).append(',').append(end).append("]}");
            offset = end;
        }
        json.append('}');

        ByteArrayOutputStream out = new ByteArrayOutputStream(json.length() + 8);
        out.writeBytes(utf8(json.toString()));
        while (out.size() % 8 != 0) out.write(' ');
        if (out.size() > SafetensorsHeaderParser.MAX_HEADER_BYTES) {
            throw new IllegalArgumentException("header of " + out.size() + " bytes is larger than readers accept ("
                    + SafetensorsHeaderParser.MAX_HEADER_BYTES + ")");
        }
        return new SafetensorsWriterLayout(out.toByteArray(), ordered, begins, offset, meta);
    }

    /**
     * A JSON string as serde_json writes it: quote, backslash and control characters escaped (the short forms
     * where JSON has one, else {@code \\u00xx} in lowercase hex), everything else as UTF-8, '/' not escaped.
     */
    static StringBuilder string(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) sb.append(String.format("\\u%04x", (int) c));
                    else sb.append(c);
                }
            }
        }
        return sb.append('"');
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SafetensorsWriterLayout l && Arrays.equals(l.header, header) && l.tensors.equals(tensors)
                && Arrays.equals(l.begins, begins) && l.dataLength == dataLength && l.metadata.equals(metadata);
    }

    @Override
    public int hashCode() { return Arrays.hashCode(header); }

    @Override
    public String toString() {
        return "safetensors layout: " + tensors.size() + " tensors, header " + header.length + " bytes, data "
                + dataLength + " bytes";
    }
}
