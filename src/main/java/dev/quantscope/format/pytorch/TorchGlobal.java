package dev.quantscope.format.pytorch;

import dev.quantscope.tensor.DType;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The only Python globals a state_dict pickle may name. Nothing is ever imported or called: each entry is a
 * marker the unpickler interprets itself. Every other global (os.system, builtins.eval, ...) is refused.
 */
sealed interface TorchGlobal {
    String qualifiedName();

    /** torch._utils functions that rebuild a tensor or parameter from its storage. */
    enum RebuildKind { TENSOR, TENSOR_V2, TENSOR_V3, PARAMETER, PARAMETER_WITH_STATE }

    record Rebuild(String qualifiedName, RebuildKind kind) implements TorchGlobal {}

    /** torch.FloatStorage and friends; {@code untyped} for torch.UntypedStorage, whose sizes count bytes. */
    record StorageClass(String qualifiedName, DType dtype, boolean untyped) implements TorchGlobal {}

    /** A dtype object such as torch.float16 (used by _rebuild_tensor_v3). */
    record DtypeObject(String qualifiedName, DType dtype) implements TorchGlobal {}

    /** collections.OrderedDict: the state_dict container. */
    record OrderedDictClass(String qualifiedName) implements TorchGlobal {}

    /** torch.Size: a tuple of ints. */
    record SizeClass(String qualifiedName) implements TorchGlobal {}

    static Optional<TorchGlobal> lookup(String module, String name) {
        return Optional.ofNullable(Whitelist.TABLE.get(module + "." + name));
    }

    final class Whitelist {
        private Whitelist() {}

        static final Map<String, TorchGlobal> TABLE = new HashMap<>();

        private static void add(TorchGlobal g) { TABLE.put(g.qualifiedName(), g); }

        private static void storage(String cls, DType t) {
            add(new StorageClass("torch." + cls, t, false));
            add(new StorageClass("torch.cuda." + cls, t, false));
        }

        private static void dtype(DType t, String... names) {
            for (String n : names) add(new DtypeObject("torch." + n, t));
        }

        static {
            add(new Rebuild("torch._utils._rebuild_tensor", RebuildKind.TENSOR));
            add(new Rebuild("torch._utils._rebuild_tensor_v2", RebuildKind.TENSOR_V2));
            add(new Rebuild("torch._utils._rebuild_tensor_v3", RebuildKind.TENSOR_V3));
            add(new Rebuild("torch._utils._rebuild_parameter", RebuildKind.PARAMETER));
            add(new Rebuild("torch._utils._rebuild_parameter_with_state", RebuildKind.PARAMETER_WITH_STATE));
            add(new OrderedDictClass("collections.OrderedDict"));
            add(new SizeClass("torch.Size"));
            storage("FloatStorage", DType.F32);
            storage("DoubleStorage", DType.F64);
            storage("HalfStorage", DType.F16);
            storage("BFloat16Storage", DType.BF16);
            storage("LongStorage", DType.I64);
            storage("IntStorage", DType.I32);
            storage("ShortStorage", DType.I16);
            storage("CharStorage", DType.I8);
            storage("ByteStorage", DType.U8);
            storage("BoolStorage", DType.BOOL);
            storage("ComplexFloatStorage", DType.C64);
            storage("ComplexDoubleStorage", DType.C128);
            storage("UInt16Storage", DType.U16);
            storage("UInt32Storage", DType.U32);
            storage("UInt64Storage", DType.U64);
            storage("Float8_e4m3fnStorage", DType.F8_E4M3);
            storage("Float8_e5m2Storage", DType.F8_E5M2);
            storage("Float8_e4m3fnuzStorage", DType.F8_E4M3FNUZ);
            storage("Float8_e5m2fnuzStorage", DType.F8_E5M2FNUZ);
            add(new StorageClass("torch.UntypedStorage", DType.U8, true));
            add(new StorageClass("torch.storage.UntypedStorage", DType.U8, true));
            dtype(DType.F32, "float32", "float");
            dtype(DType.F64, "float64", "double");
            dtype(DType.F16, "float16", "half");
            dtype(DType.BF16, "bfloat16");
            dtype(DType.I64, "int64", "long");
            dtype(DType.I32, "int32", "int");
            dtype(DType.I16, "int16", "short");
            dtype(DType.I8, "int8");
            dtype(DType.U8, "uint8");
            dtype(DType.U16, "uint16");
            dtype(DType.U32, "uint32");
            dtype(DType.U64, "uint64");
            dtype(DType.BOOL, "bool");
            dtype(DType.C64, "complex64", "cfloat");
            dtype(DType.C128, "complex128", "cdouble");
            dtype(DType.F8_E4M3, "float8_e4m3fn");
            dtype(DType.F8_E5M2, "float8_e5m2");
            dtype(DType.F8_E4M3FNUZ, "float8_e4m3fnuz");
            dtype(DType.F8_E5M2FNUZ, "float8_e5m2fnuz");
        }
    }
}
