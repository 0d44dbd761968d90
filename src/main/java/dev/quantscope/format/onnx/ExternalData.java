package dev.quantscope.format.onnx;

import dev.quantscope.format.MappedFile;
import dev.quantscope.format.ModelFormatException;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Resolves tensors stored outside the .onnx file (data_location = EXTERNAL). A model file is untrusted input,
 * so its "location" may only name a file inside the model's own folder: absolute paths, ".." components and
 * symlinks leading out of the folder are refused, which keeps a downloaded model from reading, say, /etc/passwd
 * or ~/.ssh. Each external file is mapped once into the model's arena and closed with it.
 */
final class ExternalData {
    private static final Pattern DECIMAL = Pattern.compile("[0-9]{1,19}");
    private static final Pattern WINDOWS_DRIVE = Pattern.compile("^[A-Za-z]:.*");

    private final Path modelFile;
    private final Arena arena;
    private final Map<Path, MemorySegment> mapped = new HashMap<>();
    private Path folder;
    private Path realFolder;

    ExternalData(Path modelFile, Arena arena) {
        this.modelFile = modelFile;
        this.arena = arena;
    }

    /** The view of {@code t}'s bytes in its external file, checked to be exactly the size its dims imply. */
    MemorySegment resolve(ProtoReader in, OnnxTensorProto t, long expectedBytes) throws IOException {
        Map<String, String> kv = t.externalData();
        String location = kv.get("location");
        if (location == null) throw in.error("external_data", t.offset(), "has no 'location' key");
        Path file = insideModelFolder(in, t, location);
        MemorySegment seg = mapped.get(file);
        if (seg == null) {
            seg = MappedFile.map(file, arena);
            mapped.put(file, seg);
        }
        long size = seg.byteSize();
        long offset = number(in, t, kv, "offset", 0);
        if (offset > size) {
            throw new ModelFormatException(file, "tensor '" + t.name() + "' external offset", offset,
                    "offset " + offset + " is past the end of the file (" + size + " bytes), referenced from " + modelFile);
        }
        long length = number(in, t, kv, "length", size - offset);
        if (length > size - offset) {
            throw new ModelFormatException(file, "tensor '" + t.name() + "' external length", offset,
                    length + " bytes at offset " + offset + " run past the end of the file (" + size
                            + " bytes), referenced from " + modelFile);
        }
        if (length != expectedBytes) {
            throw in.error("external_data length", t.offset(), "tensor '" + t.name() + "' has " + length
                    + " bytes in " + location + " but dims " + t.shape() + " of " + t.type() + " need " + expectedBytes);
        }
        return seg.asSlice(offset, length);
    }

    private Path insideModelFolder(ProtoReader in, OnnxTensorProto t, String location) throws IOException {
        String field = "external_data location";
        if (location.isEmpty() || location.indexOf('\0') >= 0) {
            throw in.error(field, t.offset(), "'" + location + "' is not a usable file name");
        }
        if (location.startsWith("/") || location.startsWith("\\") || WINDOWS_DRIVE.matcher(location).matches()) {
            throw in.error(field, t.offset(), "absolute path '" + location + "' refused: external data must lie in the model's folder");
        }
        for (String part : location.split("[/\\\\]")) {
            if (part.equals("..")) {
                throw in.error(field, t.offset(), "'" + location + "' refused: '..' would leave the model's folder");
            }
        }
        Path relative;
        try {
            relative = Path.of(location);
        } catch (InvalidPathException e) {
            throw in.error(field, t.offset(), "'" + location + "' is not a valid path");
        }
        if (relative.isAbsolute()) {
            throw in.error(field, t.offset(), "absolute path '" + location + "' refused: external data must lie in the model's folder");
        }
        if (folder == null) {
            folder = modelFile.toAbsolutePath().normalize().getParent();
            realFolder = folder.toRealPath();
        }
        Path candidate = folder.resolve(relative).normalize();
        if (!candidate.startsWith(folder)) {
            throw in.error(field, t.offset(), "'" + location + "' refused: it leaves the model's folder");
        }
        if (!Files.exists(candidate)) {
            throw in.error(field, t.offset(), "external data file '" + location + "' does not exist next to the model");
        }
        Path real = candidate.toRealPath();
        if (!real.startsWith(realFolder)) {
            throw in.error(field, t.offset(), "'" + location + "' refused: a symbolic link leads outside the model's folder");
        }
        if (!Files.isRegularFile(real)) {
            throw in.error(field, t.offset(), "'" + location + "' is not a regular file");
        }
        return real;
    }

    private static long number(ProtoReader in, OnnxTensorProto t, Map<String, String> kv, String key, long absent)
            throws ModelFormatException {
        String s = kv.get(key);
        if (s == null) return absent;
        if (!DECIMAL.matcher(s).matches()) {
            throw in.error("external_data " + key, t.offset(), "'" + s + "' is not a non-negative decimal number");
        }
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw in.error("external_data " + key, t.offset(), "'" + s + "' is too large");
        }
    }
}
