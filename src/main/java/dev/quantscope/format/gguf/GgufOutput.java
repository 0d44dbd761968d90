package dev.quantscope.format.gguf;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Everything a GGUF file to be written holds: typed key/values in file order and tensors in file order.
 */
public record GgufOutput(List<GgufKv> metadata, List<GgufOutputTensor> tensors) {

    public static final String KEY_ALIGNMENT = "general.alignment";
    public static final String KEY_FILE_TYPE = "general.file_type";
    public static final String KEY_QUANTIZATION_VERSION = "general.quantization_version";
    /** ggml's GGML_QNT_VERSION: the block layouts of the quantized types, written by every llama-quantize run. */
    public static final long QUANTIZATION_VERSION = 2;
    /** Keys of a split (sharded) model that llama-quantize drops, since it writes one file. */
    static final Set<String> SPLIT_KEYS = Set.of("split.no", "split.count", "split.tensors.count");

    public GgufOutput {
        metadata = List.copyOf(metadata);
        tensors = List.copyOf(tensors);
        GgufOutputLayout.validate(metadata, tensors);
        alignmentOf(metadata);
    }

    /** general.alignment when the metadata sets it (a UINT32 power of two), else GGUF's default of 32. */
    public int alignment() { return alignmentOf(metadata); }

    private static int alignmentOf(List<GgufKv> metadata) {
        for (GgufKv kv : metadata) {
            if (!kv.key().equals(KEY_ALIGNMENT)) continue;
            if (kv.type() != GgufValueType.UINT32 || !(kv.value() instanceof Long a)) {
                throw new IllegalArgumentException(KEY_ALIGNMENT + " must be a UINT32");
            }
            if (a < 1 || a > GgufReader.MAX_ALIGNMENT || Long.bitCount(a) != 1) {
                throw new IllegalArgumentException(KEY_ALIGNMENT + " " + a + " is not a power of two up to "
                        + GgufReader.MAX_ALIGNMENT);
            }
            return (int) (long) a;
        }
        return GgufReader.DEFAULT_ALIGNMENT;
    }

    /**
     * The file llama-quantize writes for {@code source} when its tensors come out as {@code tensors}, given in any
     * order. Metadata: llama-quantize copies every source key/value in order with gguf_set_kv, then sets
     * general.quantization_version and general.file_type; ggml's gguf_set_val_* removes an existing key and appends
     * it, so both end up last, in that order, even when the source already had a file type (an F16 model does).
     * Split keys are removed. Tensors follow the model loader's order ({@link GgufOutputOrder#LLAMA_QUANTIZE}).
     *
     * @param llamaFtype llama.cpp's llama_ftype number of the preset (15 for Q4_K_M)
     * @param tensors    exactly the source's tensors by name, with the same dimensions
     */
    public static GgufOutput likeLlamaQuantize(GgufFile source, long llamaFtype,
                                               Collection<GgufOutputTensor> tensors) {
        if (llamaFtype < 0 || llamaFtype > 0xFFFF_FFFFL) throw new IllegalArgumentException("bad ftype " + llamaFtype);
        List<GgufKv> kvs = new ArrayList<>(source.metadata().size() + 2);
        for (GgufKv kv : source.metadata()) {
            if (kv.key().equals(KEY_QUANTIZATION_VERSION) || kv.key().equals(KEY_FILE_TYPE)) continue;
            if (SPLIT_KEYS.contains(kv.key())) continue;
            kvs.add(kv);
        }
        kvs.add(new GgufKv(KEY_QUANTIZATION_VERSION, GgufValueType.UINT32, QUANTIZATION_VERSION));
        kvs.add(new GgufKv(KEY_FILE_TYPE, GgufValueType.UINT32, llamaFtype));

        Map<String, GgufOutputTensor> byName = new HashMap<>();
        for (GgufOutputTensor t : tensors) {
            if (byName.put(t.name(), t) != null) throw new IllegalArgumentException("tensor '" + t.name() + "' given twice");
        }
        List<String> names = new ArrayList<>();
        for (GgufTensorEntry e : source.tensors()) {
            GgufOutputTensor t = byName.get(e.name());
            if (t == null) throw new IllegalArgumentException("no output for source tensor '" + e.name() + "'");
            if (!Arrays.equals(t.storedNe(), GgufOutputTensor.storedNe(e.ne()))) {
                throw new IllegalArgumentException("tensor '" + e.name() + "' changed shape");
            }
            names.add(e.name());
        }
        if (byName.size() != names.size()) {
            throw new IllegalArgumentException(byName.size() - names.size() + " output tensors are not in the source");
        }
        names.sort(GgufOutputOrder.LLAMA_QUANTIZE);
        List<GgufOutputTensor> ordered = new ArrayList<>(names.size());
        for (String n : names) ordered.add(byName.get(n));
        return new GgufOutput(kvs, ordered);
    }
}
