package dev.quantscope.format.pytorch;

import dev.quantscope.format.FileStart;
import dev.quantscope.format.MappedFile;
import dev.quantscope.format.Model;
import dev.quantscope.format.ModelFormat;
import dev.quantscope.format.ModelFormatException;
import dev.quantscope.tensor.TensorInfo;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads PyTorch checkpoints in torch.save's zip format (.pt, .pth, .bin, .state_dict): {@code <prefix>/data.pkl}
 * holds a pickle describing the tensors, {@code <prefix>/data/<key>} the raw storages. The zip's central
 * directory is read over the memory-mapped file and each stored storage is viewed in place; the pickle is
 * interpreted by {@link RestrictedUnpickler}, which runs no code and refuses every global but torch's few
 * tensor-rebuilding ones.
 *
 * <p>Refused with a clear message: legacy (pre-zip) pickles, big-endian archives, compressed storages (torch.save
 * never compresses them; a deflated data.pkl or version record is inflated, up to 64 MB), TorchScript archives.
 */
public final class PytorchReader {
    private PytorchReader() {}

    static final long MAX_PICKLE_BYTES = 64L << 20;
    static final int MAX_RECORD_BYTES = 64;

    public static Model open(Path path) throws IOException {
        Arena arena = Arena.ofShared();
        try {
            return read(path, arena);
        } catch (ArithmeticException | IndexOutOfBoundsException | IllegalArgumentException e) {
            // Every size is checked explicitly; this is the net under those checks, so that a hostile file can
            // only ever fail as a ModelFormatException.
            arena.close();
            throw new ModelFormatException(path, "file", -1, "malformed checkpoint (" + e.getMessage() + ")", e);
        } catch (IOException | RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    private static Model read(Path path, Arena arena) throws IOException {
        MemorySegment seg = MappedFile.map(path, arena);
        refuseLegacy(path, seg);
        ZipArchive zip = zip(path, seg);
        ZipEntry pkl = findPickle(path, zip);
        String prefix = pkl.name().substring(0, pkl.name().length() - "data.pkl".length());
        prefix = prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix;

        if (pkl.size() > MAX_PICKLE_BYTES) {
            throw new ModelFormatException(path, RestrictedUnpickler.FIELD, zip.dataOffset(pkl), "is " + pkl.size()
                    + " bytes, over the limit of " + MAX_PICKLE_BYTES + " for a state_dict pickle");
        }
        MemorySegment pickle = zip.smallData(pkl);
        long pickleBase = zip.inPlace(pkl) ? zip.dataOffset(pkl) : -1;
        RestrictedUnpickler unpickler = new RestrictedUnpickler(path, pickle, pickleBase);
        Object root = unpickler.load();

        String byteorder = record(path, zip, prefix, "byteorder").orElse(null);
        if (byteorder != null && !byteorder.equals("little")) {
            if (byteorder.equals("big")) {
                throw new ModelFormatException(path, join(prefix, "byteorder"), -1,
                        "the archive was saved big-endian; QuantScope reads little-endian checkpoints only");
            }
            throw new ModelFormatException(path, join(prefix, "byteorder"), -1,
                    "is '" + RestrictedUnpickler.printable(byteorder) + "', neither 'little' nor 'big'");
        }
        String version = record(path, zip, prefix, "version").orElse(null);

        StateDictFlattener flat = StateDictFlattener.flatten(path, root);
        StorageViews views = new StorageViews(path, zip, prefix, arena, seg.byteSize());
        List<TensorInfo> tensors = new ArrayList<>(flat.tensors().size());
        Set<String> devices = new LinkedHashSet<>();
        for (StateDictFlattener.Named n : flat.tensors()) {
            tensors.add(views.view(n.name(), n.tensor()));
            devices.add(RestrictedUnpickler.printable(n.tensor().storage().location()));
        }

        Map<String, Object> meta = new LinkedHashMap<>(flat.metadata());
        if (flat.metadataTruncated()) meta.put("pytorch.metadata_truncated", true);
        meta.put("pytorch.archive_prefix", prefix);
        if (byteorder != null) meta.put("pytorch.byteorder", byteorder);
        if (version != null) meta.put("pytorch.version", version);
        meta.put("pytorch.pickle_protocol", (long) unpickler.protocol());
        meta.put("pytorch.devices", List.copyOf(devices));
        if (!views.copied().isEmpty()) meta.put("pytorch.noncontiguous_copied", List.copyOf(views.copied()));
        PytorchCheckpoint details = new PytorchCheckpoint(prefix, unpickler.protocol(), version, byteorder,
                zip.entries(), views.copied());
        return new Model(path, ModelFormat.PYTORCH, tensors, meta, arena, details);
    }

    /**
     * The checkpoint's zip archive. A file that is no zip at all (text named .pt, say) is told as that, with where
     * the zip reader gave up after it; a zip archive that starts with other data keeps the zip reader's word.
     */
    private static ZipArchive zip(Path path, MemorySegment seg) throws ModelFormatException {
        try {
            return ZipArchive.read(path, seg);
        } catch (ModelFormatException e) {
            boolean zipStart = seg.byteSize() >= 2 && seg.get(ValueLayout.JAVA_BYTE, 0) == 'P'
                    && seg.get(ValueLayout.JAVA_BYTE, 1) == 'K';
            if (zipStart) throw e;
            throw ModelFormatException.notOfKind(path, "a PyTorch checkpoint",
                    FileStart.itStartsWith(seg, 8, "a zip archive's \"PK\""), e);
        }
    }

    /** torch.save before PyTorch 1.6 wrote a bare pickle stream (it starts with PROTO, 0x80). */
    private static void refuseLegacy(Path path, MemorySegment seg) throws ModelFormatException {
        if (seg.byteSize() >= 2 && Byte.toUnsignedInt(seg.get(ValueLayout.JAVA_BYTE, 0)) == 0x80) {
            throw new ModelFormatException(path, "file", 0, "is a legacy (non-zip) torch.save pickle, as PyTorch before 1.6 "
                    + "or _use_new_zipfile_serialization=False wrote; QuantScope reads only the zip format: re-save it "
                    + "with a current torch.save");
        }
    }

    /** The one {@code <prefix>/data.pkl} member (a single folder level, as torch.save writes). */
    private static ZipEntry findPickle(Path path, ZipArchive zip) throws ModelFormatException {
        List<ZipEntry> found = new ArrayList<>();
        boolean torchScript = false;
        for (ZipEntry e : zip.entries()) {
            String n = e.name();
            int slash = n.indexOf('/');
            if (n.equals("data.pkl") || (n.endsWith("/data.pkl") && slash == n.length() - "/data.pkl".length())) found.add(e);
            if (slash > 0 && n.startsWith("code/", slash + 1)) torchScript = true;
        }
        if (torchScript) {
            throw new ModelFormatException(path, "zip entries", -1, "is a TorchScript archive (it has code/); "
                    + "QuantScope reads torch.save checkpoints (state_dicts) only");
        }
        if (found.isEmpty()) {
            throw ModelFormatException.notOfKind(path, "a PyTorch checkpoint",
                    "a zip archive with no <prefix>/data.pkl member, which torch.save always writes", "data.pkl", -1);
        }
        if (found.size() > 1) {
            throw new ModelFormatException(path, "data.pkl", -1, "the zip archive has " + found.size()
                    + " data.pkl members (" + RestrictedUnpickler.printable(found.get(0).name()) + ", "
                    + RestrictedUnpickler.printable(found.get(1).name()) + ", ...); expected one");
        }
        return found.getFirst();
    }

    /** A short text record such as "version" ("3") or "byteorder" ("little"), trimmed. */
    private static Optional<String> record(Path path, ZipArchive zip, String prefix, String name) throws ModelFormatException {
        String full = join(prefix, name);
        Optional<ZipEntry> e = zip.entry(full);
        if (e.isEmpty()) return Optional.empty();
        if (e.get().size() > MAX_RECORD_BYTES) {
            throw new ModelFormatException(path, full, zip.dataOffset(e.get()), "is " + e.get().size()
                    + " bytes; a " + name + " record is a few characters");
        }
        byte[] b = zip.smallData(e.get()).toArray(ValueLayout.JAVA_BYTE);
        return Optional.of(new String(b, StandardCharsets.UTF_8).strip());
    }

    private static String join(String prefix, String name) { return prefix.isEmpty() ? name : prefix + "/" + name; }
}
