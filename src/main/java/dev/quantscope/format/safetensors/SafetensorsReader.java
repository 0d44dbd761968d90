package dev.quantscope.format.safetensors;

import dev.quantscope.format.MappedFile;
import dev.quantscope.format.Model;
import dev.quantscope.format.ModelFormat;
import dev.quantscope.format.ModelFormatException;
import dev.quantscope.format.safetensors.sparse.SparseCheckpoint;
import dev.quantscope.format.safetensors.sparse.StoredTensor;
import dev.quantscope.tensor.Shape;
import dev.quantscope.tensor.TensorInfo;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Opens safetensors models: a single .safetensors file, a sharded model through its
 * {@code *.safetensors.index.json}, or a whole Hugging Face model folder. Every file is memory-mapped into one
 * shared arena that the returned {@link Model} closes; tensor views point straight into the mappings.
 *
 * <p>Metadata: the files' {@code __metadata__} (as a Map under that key), for an index its "metadata" object
 * under the index file's name, and for a folder or index the Hugging Face side files
 * ({@link HfFolder#SIDE_FILES}) under their file names.
 *
 * <p>A checkpoint stored in one of compressed-tensors' sparse formats opens as the dense model it stands for
 * ({@link SparseCheckpoint}); its format is then under {@link SparseCheckpoint#FORMAT_KEY}. A single file takes
 * that format from the config.json beside it, if there is one.
 */
public final class SafetensorsReader {
    private SafetensorsReader() {}

    public static Model open(Path path) throws IOException {
        if (Files.isDirectory(path)) {
            Path folder = path.toAbsolutePath().normalize();
            Map<String, Object> side = HfFolder.sideMetadata(folder);
            return switch (HfFolder.locate(folder)) {
                case HfFolder.Weights.Indexed(Path index) -> openIndexed(path, index, side);
                case HfFolder.Weights.Files(List<Path> files) -> assemble(path, files, Optional.empty(), side,
                        configIn(side));
            };
        }
        String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(HfFolder.INDEX_SUFFIX)) {
            Path folder = path.toAbsolutePath().normalize().getParent();
            return openIndexed(path, path, HfFolder.sideMetadata(folder));
        }
        return assemble(path, List.of(path), Optional.empty(), Map.of(), () -> configBeside(path));
    }

    private static SparseCheckpoint.ConfigJson configIn(Map<String, Object> side) {
        return () -> side.get("config.json") instanceof Map<?, ?> config ? Optional.of(config) : Optional.empty();
    }

    /** The config.json in a single file's folder, read only when the file holds sparse weights. */
    private static Optional<Map<?, ?>> configBeside(Path file) throws IOException {
        Path folder = file.toAbsolutePath().normalize().getParent();
        Path config = folder == null ? null : folder.resolve("config.json");
        if (config == null || !Files.isRegularFile(config)) return Optional.empty();
        return Optional.of(Json.readObjectFile(config, HfFolder.MAX_SIDE_FILE_BYTES));
    }

    private static Model openIndexed(Path source, Path indexFile, Map<String, Object> side) throws IOException {
        ShardIndex index = ShardIndex.read(indexFile);
        Map<String, Object> meta = new LinkedHashMap<>(side);
        if (!index.metadata().isEmpty()) meta.put(indexFile.getFileName().toString(), index.metadata());
        return assemble(source, index.shards(), Optional.of(index), meta, configIn(side));
    }

    private static Model assemble(Path source, List<Path> files, Optional<ShardIndex> index, Map<String, Object> extra,
                                  SparseCheckpoint.ConfigJson config) throws IOException {
        Arena arena = Arena.ofShared();
        try {
            List<SafetensorsHeader> headers = new ArrayList<>(files.size());
            List<StoredTensor> stored = new ArrayList<>();
            Map<String, Path> owner = new HashMap<>();
            Map<String, String> fileMetadata = new LinkedHashMap<>();
            for (Path file : files) {
                if (index.isPresent() && !Files.isRegularFile(file)) {
                    throw new ModelFormatException(index.get().file(), "weight_map", -1,
                            "shard " + file.getFileName() + " does not exist");
                }
                MemorySegment seg = MappedFile.map(file, arena);
                SafetensorsHeader h = SafetensorsHeaderParser.parse(file, seg);
                headers.add(h);
                // shards usually repeat the same {"format": "pt"}; the first file's value wins on a clash
                h.metadata().forEach(fileMetadata::putIfAbsent);
                for (SafetensorsEntry e : h.entries()) {
                    Path previous = owner.putIfAbsent(e.name(), file);
                    if (previous != null) {
                        throw new ModelFormatException(file, "tensor '" + e.name() + "'", e.headerOffset(),
                                "is also in " + previous.getFileName());
                    }
                    long start = Math.addExact(h.dataStart(), e.begin());
                    stored.add(new StoredTensor(file, e.headerOffset(), new TensorInfo(e.name(),
                            Shape.rowMajor(e.shape()), e.type().dtype(), e.byteSize(), seg.asSlice(start, e.byteSize()))));
                }
            }
            if (index.isPresent()) checkIndex(index.get(), owner);
            SparseCheckpoint.Expanded expanded = SparseCheckpoint.expand(stored, config, arena);
            List<TensorInfo> tensors = new ArrayList<>(expanded.tensors());
            tensors.sort(Comparator.comparing(TensorInfo::name, NaturalNameOrder.INSTANCE));

            Map<String, Object> meta = new LinkedHashMap<>();
            if (!fileMetadata.isEmpty()) meta.put(SafetensorsHeaderParser.METADATA_KEY, fileMetadata);
            meta.putAll(extra);
            meta.putAll(expanded.metadata());
            return new Model(source, ModelFormat.SAFETENSORS, tensors, meta, arena,
                    new SafetensorsDetails(headers, index));
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    /** Every tensor the index lists must be in the shard it names, or the index and shards do not match. */
    private static void checkIndex(ShardIndex index, Map<String, Path> owner) throws ModelFormatException {
        for (Map.Entry<String, Path> e : index.weightMap().entrySet()) {
            Path actual = owner.get(e.getKey());
            if (actual == null) {
                throw new ModelFormatException(index.file(), "weight_map '" + e.getKey() + "'", -1,
                        "tensor is not in shard " + e.getValue().getFileName());
            }
            if (!actual.equals(e.getValue())) {
                throw new ModelFormatException(index.file(), "weight_map '" + e.getKey() + "'", -1,
                        "tensor is in " + actual.getFileName() + ", not in " + e.getValue().getFileName());
            }
        }
    }
}
