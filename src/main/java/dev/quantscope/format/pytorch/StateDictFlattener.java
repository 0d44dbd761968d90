package dev.quantscope.format.pytorch;

import dev.quantscope.format.ModelFormatException;
import dev.quantscope.format.pytorch.PyValues.PyDict;
import dev.quantscope.format.pytorch.PyValues.PyList;
import dev.quantscope.format.pytorch.PyValues.TensorRef;
import dev.quantscope.format.pytorch.PyValues.Tuple;

import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Walks the unpickled object and names every tensor by its path of keys, joined with dots: a plain state_dict
 * gives "fc1.weight", a training checkpoint {"model": {...}, "epoch": 3} gives "model.fc1.weight", and lists give
 * their indices ("optimizer.state.0.exp_avg"). Scalars along the way (strings, numbers, bools) become metadata
 * under the same dotted names. Each container is visited once, so shared or cyclic containers cannot blow up.
 */
final class StateDictFlattener {
    static final int MAX_DEPTH = 32;
    static final int MAX_METADATA = 1000;

    record Named(String name, TensorRef tensor) {}

    private final Path file;
    private final List<Named> tensors = new ArrayList<>();
    private final Set<String> names = new HashSet<>();
    private final Map<String, Object> metadata = new LinkedHashMap<>();
    private final Set<Object> visited = Collections.newSetFromMap(new IdentityHashMap<>());
    private boolean metadataTruncated;

    private StateDictFlattener(Path file) { this.file = file; }

    static StateDictFlattener flatten(Path file, Object root) throws ModelFormatException {
        StateDictFlattener f = new StateDictFlattener(file);
        f.walk(root, "", 0);
        return f;
    }

    List<Named> tensors() { return tensors; }

    Map<String, Object> metadata() { return metadata; }

    boolean metadataTruncated() { return metadataTruncated; }

    private void walk(Object o, String name, int depth) throws ModelFormatException {
        if (depth > MAX_DEPTH) {
            throw new ModelFormatException(file, RestrictedUnpickler.FIELD, -1,
                    "containers nested deeper than " + MAX_DEPTH + " levels (at '" + RestrictedUnpickler.printable(name) + "')");
        }
        switch (o) {
            case TensorRef t -> addTensor(name.isEmpty() ? "tensor" : name, t);
            case PyDict d -> {
                if (!visited.add(d)) return;
                for (Map.Entry<Object, Object> e : d.items.entrySet()) {
                    String key = keyName(e.getKey());
                    if (key != null) walk(e.getValue(), join(name, key), depth + 1);
                }
            }
            case PyList l -> {
                if (!visited.add(l)) return;
                for (int i = 0; i < l.items.size(); i++) walk(l.items.get(i), join(name, Integer.toString(i)), depth + 1);
            }
            case Tuple t -> {
                if (!visited.add(t)) return;
                for (int i = 0; i < t.size(); i++) walk(t.get(i), join(name, Integer.toString(i)), depth + 1);
            }
            case String s -> scalar(name, s);
            case Long v -> scalar(name, v);
            case Double v -> scalar(name, v);
            case Boolean v -> scalar(name, v);
            case BigInteger v -> scalar(name, v);
            // None, bytes, bare storages and globals carry no tensor and no readable setting.
            default -> { }
        }
    }

    private void addTensor(String name, TensorRef t) throws ModelFormatException {
        if (!names.add(name)) {
            throw new ModelFormatException(file, RestrictedUnpickler.FIELD, -1,
                    "two tensors are both named '" + RestrictedUnpickler.printable(name) + "'");
        }
        tensors.add(new Named(name, t));
    }

    private void scalar(String name, Object v) {
        if (name.isEmpty()) return;
        if (metadata.size() >= MAX_METADATA) {
            metadataTruncated = true;
            return;
        }
        metadata.put(name, v);
    }

    /** Dict keys that name a path segment; tuples and other exotic keys are skipped. */
    private static String keyName(Object k) {
        return switch (k) {
            case String s -> s;
            case Long v -> v.toString();
            case BigInteger v -> v.toString();
            case Boolean v -> v ? "True" : "False";
            case Double v -> v.toString();
            default -> null;
        };
    }

    private static String join(String prefix, String key) {
        return prefix.isEmpty() ? key : prefix + "." + key;
    }
}
