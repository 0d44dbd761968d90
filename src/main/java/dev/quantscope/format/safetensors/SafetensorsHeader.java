package dev.quantscope.format.safetensors;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The parsed header of one .safetensors file.
 *
 * @param file         the file
 * @param headerLength bytes of JSON after the 8-byte length
 * @param entries      the tensors, in header order
 * @param metadata     the optional {@code __metadata__} map (empty when absent)
 */
public record SafetensorsHeader(Path file, long headerLength, List<SafetensorsEntry> entries,
                                Map<String, String> metadata) {

    public SafetensorsHeader {
        entries = List.copyOf(entries);
        metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    }

    /** File offset of the data buffer, to which every tensor's data_offsets are relative. */
    public long dataStart() { return 8 + headerLength; }
}
