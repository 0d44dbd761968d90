package dev.quantscope.prune.structured;

import dev.quantscope.format.gguf.GgufFile;
import dev.quantscope.format.gguf.GgufKv;
import dev.quantscope.format.gguf.GgufOutput;
import dev.quantscope.format.gguf.GgufOutputOrder;
import dev.quantscope.format.gguf.GgufOutputTensor;
import dev.quantscope.format.gguf.GgufValueType;
import dev.quantscope.format.Model;
import dev.quantscope.task.ProgressMonitor;
import dev.quantscope.tensor.TensorInfo;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a {@link StructuredPlan} out as the GGUF content of the smaller model: every kept tensor copied into a new
 * arena (rows and columns taken out where the plan says, blocks renumbered), and the key/values that describe the
 * shapes rewritten to match. The head size is written as {@code key_length}/{@code value_length}, since llama.cpp
 * would otherwise derive it as embedding_length / head_count, which no longer holds once heads are gone.
 */
final class LlamaRewriter {
    private LlamaRewriter() {}

    /** @param monitor progress in source tensors; cancellation between tensors */
    static GgufOutput rewrite(Model source, String architecture, StructuredPlan plan, Arena arena,
                              ProgressMonitor monitor) {
        GgufFile file = (GgufFile) source.details();
        Map<Integer, Integer> newIndex = new LinkedHashMap<>();
        for (int i = 0; i < plan.blocks().length; i++) newIndex.put(plan.blocks()[i], i);

        List<GgufOutputTensor> tensors = new ArrayList<>();
        int done = 0;
        for (TensorInfo t : source.tensors()) {
            monitor.checkCancelled();
            monitor.progress(done++, source.tensors().size());
            long block = GgufOutputOrder.blockNumber(t.name());
            if (block < 0) {
                tensors.add(new GgufOutputTensor(t.name(), t.shape().dims(), t.dtype(), WeightSlices.copy(t, arena)));
                continue;
            }
            Integer renumbered = newIndex.get((int) block);
            if (renumbered == null) continue;
            String suffix = t.name().substring(("blk." + block + ".").length());
            tensors.add(cut(t, "blk." + renumbered + "." + suffix, suffix, (int) block, plan, arena));
        }
        monitor.progress(done, source.tensors().size());
        return new GgufOutput(metadata(file, architecture, plan), tensors);
    }

    private static GgufOutputTensor cut(TensorInfo t, String name, String suffix, int block, StructuredPlan plan,
                                        Arena arena) {
        return switch (suffix) {
            case "attn_q.weight" -> rows(t, name, plan.queryRows(block), arena);
            case "attn_k.weight", "attn_v.weight" -> rows(t, name, plan.keyValueRows(block), arena);
            case "attn_q.bias" -> columns(t, name, plan.queryRows(block), arena);
            case "attn_k.bias", "attn_v.bias" -> columns(t, name, plan.keyValueRows(block), arena);
            case "attn_output.weight" -> columns(t, name, plan.queryRows(block), arena);
            case "ffn_gate.weight", "ffn_up.weight" -> rows(t, name, plan.ffnUnits()[block], arena);
            case "ffn_down.weight" -> columns(t, name, plan.ffnUnits()[block], arena);
            default -> new GgufOutputTensor(name, t.shape().dims(), t.dtype(), WeightSlices.copy(t, arena));
        };
    }

    private static GgufOutputTensor rows(TensorInfo t, String name, int[] rows, Arena arena) {
        long[] ne = t.shape().dims();
        MemorySegment data = rows.length == ne[1] ? WeightSlices.copy(t, arena) : WeightSlices.rows(t, rows, arena);
        ne[1] = rows.length;
        return new GgufOutputTensor(name, ne, t.dtype(), data);
    }

    private static GgufOutputTensor columns(TensorInfo t, String name, int[] columns, Arena arena) {
        long[] ne = t.shape().dims();
        MemorySegment data = columns.length == ne[0] ? WeightSlices.copy(t, arena) : WeightSlices.columns(t, columns, arena);
        ne[0] = columns.length;
        return new GgufOutputTensor(name, ne, t.dtype(), data);
    }

    /** The source's key/values with the shape keys set to the plan's; keys the source lacks are appended. */
    private static List<GgufKv> metadata(GgufFile file, String arch, StructuredPlan plan) {
        Map<String, Long> shape = new LinkedHashMap<>();
        shape.put(arch + ".block_count", (long) plan.blocks().length);
        shape.put(arch + ".feed_forward_length", (long) plan.ffnWidth());
        shape.put(arch + ".attention.head_count", (long) plan.heads());
        shape.put(arch + ".attention.head_count_kv", (long) plan.kvHeads());
        shape.put(arch + ".attention.key_length", (long) plan.headDim());
        shape.put(arch + ".attention.value_length", (long) plan.headDim());
        List<GgufKv> out = new ArrayList<>(file.metadata().size() + 2);
        for (GgufKv kv : file.metadata()) {
            Long value = shape.remove(kv.key());
            if (value == null) out.add(kv);
            else out.add(new GgufKv(kv.key(), integerType(kv.type()), value));
        }
        shape.forEach((key, value) -> out.add(new GgufKv(key, GgufValueType.UINT32, value)));
        return out;
    }

    /** The source's integer type for a key, kept; a per-layer array becomes one UINT32, as the widths are equal. */
    private static GgufValueType integerType(GgufValueType source) {
        return switch (source) {
            case UINT8, INT8, UINT16, INT16, UINT32, INT32, UINT64, INT64 -> source;
            case FLOAT32, BOOL, STRING, ARRAY, FLOAT64 -> GgufValueType.UINT32;
        };
    }
}
