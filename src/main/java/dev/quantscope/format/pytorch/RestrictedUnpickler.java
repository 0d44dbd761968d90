package dev.quantscope.format.pytorch;

import dev.quantscope.format.ModelFormatException;
import dev.quantscope.format.pytorch.PyValues.None;
import dev.quantscope.format.pytorch.PyValues.PyDict;
import dev.quantscope.format.pytorch.PyValues.PyList;
import dev.quantscope.format.pytorch.PyValues.StorageRef;
import dev.quantscope.format.pytorch.PyValues.TensorRef;
import dev.quantscope.format.pytorch.PyValues.Tuple;
import dev.quantscope.tensor.DType;
import dev.quantscope.tensor.Shape;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.math.BigInteger;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Interprets a pickle's opcodes without executing anything. Python's own unpickler imports and calls whatever
 * globals a pickle names, which is how a malicious checkpoint runs code; this one only knows the handful of torch
 * globals a state_dict needs ({@link TorchGlobal}) and refuses every other name, naming it.
 *
 * <p>It is a plain loop over a stack, so hostile nesting cannot overflow the Java stack, and every size, count,
 * stack depth, memo size and amount of work is capped, so a hostile pickle fails with a
 * {@link ModelFormatException} instead of exhausting memory.
 */
final class RestrictedUnpickler {
    static final String FIELD = "data.pkl";
    static final int MAX_STACK = 1 << 20;
    static final int MAX_MARKS = 1 << 16;
    static final int MAX_MEMO = 1 << 20;
    /** Opcodes plus container items: a few thousand per hundred tensors in a real state_dict. */
    static final long MAX_WORK = 1L << 22;
    static final int MAX_GLOBAL_NAME = 256;
    static final int MAX_LONG_BYTES = 64;
    static final int HIGHEST_PROTOCOL = 5;

    private static final ValueLayout.OfDouble BIG_ENDIAN_DOUBLE =
            ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final Path file;
    private final MemorySegment in;
    private final long fileBase;
    private final ArrayList<Object> stack = new ArrayList<>();
    private final IntStack marks = new IntStack();
    private final Map<Long, Object> memo = new HashMap<>();
    private long pos;
    private long opAt;
    private Opcode op;
    private long work;
    private int protocol;

    /**
     * @param pickle   the pickle's bytes
     * @param fileBase the file offset of the pickle's first byte, or -1 when it was inflated (no file offset)
     */
    RestrictedUnpickler(Path file, MemorySegment pickle, long fileBase) {
        this.file = file;
        this.in = pickle;
        this.fileBase = fileBase;
    }

    /** Protocol named by the PROTO opcode (0 when there was none). */
    int protocol() { return protocol; }

    /** Runs the pickle to its STOP and returns the object it built. */
    Object load() throws ModelFormatException {
        while (true) {
            opAt = pos;
            op = null;
            if (pos >= in.byteSize()) throw error("the pickle ends without a STOP opcode (truncated?)");
            int b = Byte.toUnsignedInt(in.get(ValueLayout.JAVA_BYTE, pos++));
            op = Opcode.of(b);
            if (op == null) throw error(String.format("unknown opcode 0x%02x", b));
            spend(1);
            if (step(op)) {
                Object result = pop();
                return result;
            }
        }
    }

    /** Executes one opcode; true at STOP. */
    private boolean step(Opcode op) throws ModelFormatException {
        switch (op) {
            case STOP -> { return true; }
            case PROTO -> {
                protocol = u8();
                if (protocol > HIGHEST_PROTOCOL) throw error("pickle protocol " + protocol + " is newer than 5");
            }
            case FRAME -> {
                long n = u64();
                if (n > remaining()) throw error("frame of " + n + " bytes runs past the end of the pickle (truncated?)");
            }
            case MARK -> {
                if (marks.size() >= MAX_MARKS) throw error("more than " + MAX_MARKS + " nested MARKs");
                marks.push(stack.size());
            }
            case POP -> {
                if (!marks.isEmpty() && marks.peek() == stack.size()) marks.pop();
                else pop();
            }
            case POP_MARK -> popMark();
            case DUP -> push(peek());
            case EMPTY_DICT -> push(new PyDict());
            case EMPTY_LIST -> push(new PyList());
            case EMPTY_TUPLE -> push(new Tuple(List.of()));
            case DICT -> {
                PyDict d = new PyDict();
                setItems(d, popMark());
                push(d);
            }
            case LIST -> {
                PyList l = new PyList();
                List<Object> items = popMark();
                spend(items.size());
                l.items.addAll(items);
                push(l);
            }
            case TUPLE -> push(new Tuple(popMark()));
            case TUPLE1 -> push(new Tuple(popN(1)));
            case TUPLE2 -> push(new Tuple(popN(2)));
            case TUPLE3 -> push(new Tuple(popN(3)));
            case NONE -> push(None.NONE);
            case NEWTRUE -> push(Boolean.TRUE);
            case NEWFALSE -> push(Boolean.FALSE);
            case BININT -> push((long) i32());
            case BININT1 -> push((long) u8());
            case BININT2 -> push((long) u16());
            case LONG1 -> push(longBytes(u8()));
            case LONG4 -> {
                int n = i32();
                if (n < 0 || n > MAX_LONG_BYTES) throw error("integer of " + Integer.toUnsignedString(n) + " bytes is too large");
                push(longBytes(n));
            }
            case BINFLOAT -> {
                need(8);
                push(in.get(BIG_ENDIAN_DOUBLE, pos));
                pos += 8;
            }
            case BINUNICODE -> push(utf8(u32()));
            case SHORT_BINUNICODE -> push(utf8(u8()));
            case BINUNICODE8 -> push(utf8(u64()));
            case BINSTRING -> {
                int n = i32();
                if (n < 0) throw error("string length " + n + " is negative");
                push(new String(bytes(n), StandardCharsets.ISO_8859_1));
            }
            case SHORT_BINSTRING -> push(new String(bytes(u8()), StandardCharsets.ISO_8859_1));
            case BINBYTES -> push(bytes(u32()));
            case SHORT_BINBYTES -> push(bytes(u8()));
            case BINBYTES8, BYTEARRAY8 -> push(bytes(u64()));
            case BINPUT -> memoPut(u8());
            case LONG_BINPUT -> memoPut(u32());
            case MEMOIZE -> memoPut(memo.size());
            case BINGET -> push(memoGet(u8()));
            case LONG_BINGET -> push(memoGet(u32()));
            case SETITEM -> {
                Object v = pop();
                Object k = pop();
                setItems(dictOnTop(), List.of(k, v));
            }
            case SETITEMS -> {
                List<Object> items = popMark();
                setItems(dictOnTop(), items);
            }
            case APPEND -> {
                Object v = pop();
                listOnTop().items.add(v);
            }
            case APPENDS -> {
                List<Object> items = popMark();
                spend(items.size());
                listOnTop().items.addAll(items);
            }
            case GLOBAL -> {
                String module = line("GLOBAL module");
                String name = line("GLOBAL name");
                push(resolve(module, name));
            }
            case STACK_GLOBAL -> {
                Object name = pop();
                Object module = pop();
                if (!(module instanceof String m) || !(name instanceof String n)) {
                    throw error("STACK_GLOBAL needs two strings, found " + PyValues.describe(module) + " and " + PyValues.describe(name));
                }
                push(resolve(m, n));
            }
            case INST -> {
                // Refuse unknown names first, so the message names what the pickle tried to instantiate.
                TorchGlobal g = resolve(line("INST module"), line("INST name"));
                throw error("INST of " + g.qualifiedName() + " is not supported (torch.save never writes it)");
            }
            case REDUCE -> {
                Object args = pop();
                Object callable = pop();
                push(call(callable, args));
            }
            case NEWOBJ -> {
                Object args = pop();
                Object cls = pop();
                push(newObject(cls, args));
            }
            case NEWOBJ_EX -> {
                pop(); // keyword arguments: OrderedDict.__new__ ignores them
                Object args = pop();
                Object cls = pop();
                push(newObject(cls, args));
            }
            case BUILD -> {
                pop(); // the state
                Object target = peek();
                // A state_dict's BUILD sets attributes such as _metadata (per-module versions) on the
                // OrderedDict, or tensor metadata; neither changes the tensors, so the state is dropped.
                if (!(target instanceof PyDict) && !(target instanceof TensorRef)) {
                    throw error("BUILD on " + PyValues.describe(target) + " is not supported");
                }
            }
            case BINPERSID -> push(persistent(pop()));
            case FLOAT, INT, LONG, STRING, UNICODE, GET, PUT, PERSID, OBJ, EXT1, EXT2, EXT4, EMPTY_SET, ADDITEMS,
                 FROZENSET, NEXT_BUFFER, READONLY_BUFFER ->
                    throw error("opcode " + op + " is not supported (torch.save's state_dict pickles never use it)");
        }
        return false;
    }

    // ---- globals and calls ----

    private TorchGlobal resolve(String module, String name) throws ModelFormatException {
        return TorchGlobal.lookup(module, name).orElseThrow(() -> error("refuses to load global "
                + printable(module + "." + name) + ": only the torch globals a state_dict needs are allowed"));
    }

    private Object call(Object callable, Object argsObj) throws ModelFormatException {
        if (!(argsObj instanceof Tuple args)) throw error("REDUCE needs an argument tuple, found " + PyValues.describe(argsObj));
        return switch (callable) {
            case TorchGlobal.Rebuild r -> rebuild(r, args);
            case TorchGlobal.OrderedDictClass c -> orderedDict(args);
            case TorchGlobal.SizeClass c -> {
                if (args.size() != 1) throw error("torch.Size takes one argument, got " + args.size());
                yield new Tuple(toLongList(ints(args.get(0), "torch.Size")));
            }
            case TorchGlobal.StorageClass c -> throw error(c.qualifiedName() + " cannot be called from a pickle");
            case TorchGlobal.DtypeObject d -> throw error(d.qualifiedName() + " cannot be called");
            default -> throw error("REDUCE calls " + PyValues.describe(callable) + ", which is not callable");
        };
    }

    private Object newObject(Object cls, Object args) throws ModelFormatException {
        if (!(args instanceof Tuple)) throw error("NEWOBJ needs an argument tuple, found " + PyValues.describe(args));
        if (cls instanceof TorchGlobal.OrderedDictClass) return new PyDict();
        throw error("NEWOBJ of " + PyValues.describe(cls) + " is not supported");
    }

    private PyDict orderedDict(Tuple args) throws ModelFormatException {
        PyDict d = new PyDict();
        if (args.size() == 0) return d;
        if (args.size() != 1) throw error("OrderedDict takes at most one argument, got " + args.size());
        Object src = args.get(0);
        List<Object> pairs = switch (src) {
            case PyList l -> l.items;
            case Tuple t -> t.items();
            case PyDict other -> {
                List<Object> flat = new ArrayList<>();
                other.items.forEach((k, v) -> { flat.add(k); flat.add(v); });
                setItems(d, flat);
                yield List.of();
            }
            default -> throw error("OrderedDict of " + PyValues.describe(src) + " is not supported");
        };
        List<Object> flat = new ArrayList<>();
        for (Object p : pairs) {
            if (!(p instanceof Tuple t) || t.size() != 2) throw error("OrderedDict items must be (key, value) pairs");
            flat.add(t.get(0));
            flat.add(t.get(1));
        }
        setItems(d, flat);
        return d;
    }

    private Object rebuild(TorchGlobal.Rebuild r, Tuple a) throws ModelFormatException {
        String fn = r.qualifiedName();
        return switch (r.kind()) {
            case PARAMETER, PARAMETER_WITH_STATE -> {
                int want = r.kind() == TorchGlobal.RebuildKind.PARAMETER ? 3 : 4;
                if (a.size() != want) throw error(fn + " takes " + want + " arguments, got " + a.size());
                if (!(a.get(0) instanceof TensorRef t)) throw error(fn + " needs a tensor, found " + PyValues.describe(a.get(0)));
                yield t;
            }
            case TENSOR -> {
                if (a.size() != 4) throw error(fn + " takes 4 arguments, got " + a.size());
                yield tensor(fn, a, null);
            }
            case TENSOR_V2 -> {
                if (a.size() != 6 && a.size() != 7) throw error(fn + " takes 6 or 7 arguments, got " + a.size());
                yield tensor(fn, a, null);
            }
            case TENSOR_V3 -> {
                if (a.size() != 7 && a.size() != 8) throw error(fn + " takes 7 or 8 arguments, got " + a.size());
                if (!(a.get(6) instanceof TorchGlobal.DtypeObject d)) {
                    throw error(fn + " needs a torch dtype, found " + PyValues.describe(a.get(6)));
                }
                yield tensor(fn, a, d.dtype());
            }
        };
    }

    /** A tensor over a storage, checked to lie inside the storage the persistent id declared. */
    private TensorRef tensor(String fn, Tuple a, DType explicit) throws ModelFormatException {
        if (!(a.get(0) instanceof StorageRef s)) throw error(fn + " needs a storage, found " + PyValues.describe(a.get(0)));
        if (!(a.get(1) instanceof Long offset) || offset < 0) throw error(fn + " storage offset must be a non-negative int");
        long[] size = ints(a.get(2), fn + " size");
        long[] stride = ints(a.get(3), fn + " stride");
        if (size.length != stride.length) throw error(fn + " has " + size.length + " sizes but " + stride.length + " strides");
        if (size.length > Shape.MAX_DIMS) throw error(fn + " has " + size.length + " dims (at most " + Shape.MAX_DIMS + ")");
        DType dtype = explicit != null ? explicit : s.dtype();
        if (explicit != null && !s.untyped() && explicit != s.dtype()) {
            throw error(fn + " dtype " + explicit + " does not match its " + s.dtype() + " storage");
        }
        try {
            long elements = 1;
            long last = offset;
            for (int d = 0; d < size.length; d++) {
                if (size[d] < 0) throw error(fn + " size[" + d + "] is negative: " + size[d]);
                if (stride[d] < 0) throw error(fn + " stride[" + d + "] is negative: " + stride[d]);
                elements = Math.multiplyExact(elements, size[d]);
                if (size[d] > 0) last = Math.addExact(last, Math.multiplyExact(size[d] - 1, stride[d]));
            }
            long elem = dtype.byteSize(1);
            long storageBytes = s.untyped() ? s.numel() : Math.multiplyExact(s.numel(), s.dtype().byteSize(1));
            Math.multiplyExact(elements, elem);
            if (elements > 0) {
                long end = Math.multiplyExact(Math.addExact(last, 1), elem);
                if (end > storageBytes) {
                    throw error(fn + " reaches byte " + end + " of storage '" + printable(s.key()) + "', which has only "
                            + storageBytes + " bytes (storage offset, size or stride past its end)");
                }
            }
        } catch (ArithmeticException overflow) {
            throw error(fn + " sizes overflow");
        }
        return new TensorRef(s, dtype, offset, size, stride);
    }

    /** ('storage', storage type, key, location, numel): a storage kept in the archive as data/key. */
    private StorageRef persistent(Object pid) throws ModelFormatException {
        if (!(pid instanceof Tuple t) || t.size() != 5 || !"storage".equals(t.get(0))) {
            throw error("persistent id must be ('storage', type, key, location, numel), found " + PyValues.describe(pid));
        }
        if (!(t.get(1) instanceof TorchGlobal.StorageClass cls)) {
            throw error("persistent id storage type is " + PyValues.describe(t.get(1)) + ", not a torch storage class");
        }
        if (!(t.get(2) instanceof String key)) throw error("persistent id key must be a string");
        if (!(t.get(3) instanceof String location)) throw error("persistent id location must be a string");
        if (!(t.get(4) instanceof Long numel) || numel < 0) throw error("persistent id numel must be a non-negative int");
        try {
            Math.multiplyExact(numel, cls.dtype().byteSize(1));
        } catch (ArithmeticException overflow) {
            throw error("storage of " + numel + " elements overflows");
        }
        return new StorageRef(key, cls.dtype(), cls.untyped(), location, numel);
    }

    private long[] ints(Object o, String what) throws ModelFormatException {
        List<Object> items = switch (o) {
            case Tuple t -> t.items();
            case PyList l -> l.items;
            default -> throw error(what + " must be a tuple of ints, found " + PyValues.describe(o));
        };
        if (items.size() > Shape.MAX_DIMS) throw error(what + " has " + items.size() + " entries (at most " + Shape.MAX_DIMS + ")");
        long[] out = new long[items.size()];
        for (int i = 0; i < out.length; i++) {
            if (!(items.get(i) instanceof Long v)) throw error(what + "[" + i + "] is " + PyValues.describe(items.get(i)) + ", not an int that fits 64 bits");
            out[i] = v;
        }
        return out;
    }

    private static List<Object> toLongList(long[] v) {
        List<Object> out = new ArrayList<>(v.length);
        for (long x : v) out.add(x);
        return out;
    }

    // ---- containers ----

    private void setItems(PyDict d, List<Object> kv) throws ModelFormatException {
        if (kv.size() % 2 != 0) throw error("odd number of items (" + kv.size() + ") for a dict");
        spend(kv.size() / 2);
        for (int i = 0; i < kv.size(); i += 2) {
            Object k = kv.get(i);
            if (!PyValues.isHashableKey(k, 0)) throw error("dict key of type " + PyValues.describe(k) + " is not supported");
            d.items.put(k, kv.get(i + 1));
        }
    }

    private PyDict dictOnTop() throws ModelFormatException {
        Object o = peek();
        if (!(o instanceof PyDict d)) throw error(op + " needs a dict, found " + PyValues.describe(o));
        return d;
    }

    private PyList listOnTop() throws ModelFormatException {
        Object o = peek();
        if (!(o instanceof PyList l)) throw error(op + " needs a list, found " + PyValues.describe(o));
        return l;
    }

    // ---- stack, marks and memo ----

    private void push(Object o) throws ModelFormatException {
        if (stack.size() >= MAX_STACK) throw error("stack deeper than " + MAX_STACK + " entries");
        stack.add(o);
    }

    private int floor() { return marks.isEmpty() ? 0 : marks.peek(); }

    private Object pop() throws ModelFormatException {
        if (stack.size() <= floor()) throw error("stack underflow");
        return stack.removeLast();
    }

    private Object peek() throws ModelFormatException {
        if (stack.size() <= floor()) throw error("stack underflow");
        return stack.getLast();
    }

    private List<Object> popN(int n) throws ModelFormatException {
        if (stack.size() - floor() < n) throw error("stack underflow");
        List<Object> top = stack.subList(stack.size() - n, stack.size());
        List<Object> out = new ArrayList<>(top);
        top.clear();
        return out;
    }

    private List<Object> popMark() throws ModelFormatException {
        if (marks.isEmpty()) throw error("no MARK to pop to");
        int at = marks.pop();
        List<Object> top = stack.subList(at, stack.size());
        List<Object> out = new ArrayList<>(top);
        top.clear();
        return out;
    }

    private void memoPut(long index) throws ModelFormatException {
        Object top = peek();
        if (!memo.containsKey(index) && memo.size() >= MAX_MEMO) throw error("memo larger than " + MAX_MEMO + " entries");
        memo.put(index, top);
    }

    private Object memoGet(long index) throws ModelFormatException {
        Object o = memo.get(index);
        if (o == null) throw error("memo index " + index + " was never stored (memo holds " + memo.size() + " entries)");
        return o;
    }

    private void spend(long units) throws ModelFormatException {
        work += units;
        if (work > MAX_WORK) throw error("the pickle does more than " + MAX_WORK + " operations; refusing it as hostile");
    }

    // ---- raw reads ----

    private long remaining() { return in.byteSize() - pos; }

    private void need(long n) throws ModelFormatException {
        if (n < 0 || n > remaining()) {
            throw error("needs " + n + " more bytes but the pickle has " + remaining() + " left (truncated?)");
        }
    }

    private int u8() throws ModelFormatException {
        need(1);
        return Byte.toUnsignedInt(in.get(ValueLayout.JAVA_BYTE, pos++));
    }

    private int u16() throws ModelFormatException {
        need(2);
        int v = Short.toUnsignedInt(in.get(U16, pos));
        pos += 2;
        return v;
    }

    private int i32() throws ModelFormatException {
        need(4);
        int v = in.get(I32, pos);
        pos += 4;
        return v;
    }

    private long u32() throws ModelFormatException { return Integer.toUnsignedLong(i32()); }

    private long u64() throws ModelFormatException {
        need(8);
        long v = in.get(I64, pos);
        pos += 8;
        if (v < 0) throw error("length " + Long.toUnsignedString(v) + " is too large");
        return v;
    }

    private byte[] bytes(long n) throws ModelFormatException {
        need(n);
        byte[] b = in.asSlice(pos, n).toArray(ValueLayout.JAVA_BYTE);
        pos += n;
        return b;
    }

    private String utf8(long n) throws ModelFormatException {
        return new String(bytes(n), StandardCharsets.UTF_8);
    }

    /** Little-endian two's complement, as LONG1 and LONG4 store it; a Long when it fits. */
    private Object longBytes(int n) throws ModelFormatException {
        byte[] le = bytes(n);
        if (n == 0) return 0L;
        byte[] be = new byte[n];
        for (int i = 0; i < n; i++) be[i] = le[n - 1 - i];
        BigInteger v = new BigInteger(be);
        return v.bitLength() < 64 ? (Object) v.longValue() : v;
    }

    /** A newline-terminated ASCII line, as GLOBAL and INST write module and name. */
    private String line(String what) throws ModelFormatException {
        long start = pos;
        long limit = Math.min(in.byteSize(), start + MAX_GLOBAL_NAME + 1);
        for (long p = start; p < limit; p++) {
            if (in.get(ValueLayout.JAVA_BYTE, p) == '\n') {
                String s = new String(in.asSlice(start, p - start).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
                pos = p + 1;
                return s;
            }
        }
        throw error(what + " has no newline within " + MAX_GLOBAL_NAME + " bytes (truncated or hostile)");
    }

    private ModelFormatException error(String problem) {
        String where = " (pickle byte " + opAt + (op != null ? ", opcode " + op : "") + ")";
        return new ModelFormatException(file, FIELD, fileBase >= 0 ? fileBase + opAt : -1, problem + where);
    }

    /** Names from a hostile file go into messages; keep them printable and short. */
    static String printable(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && b.length() < 120; i++) {
            char c = s.charAt(i);
            b.append(c >= 0x20 && c < 0x7F ? c : '?');
        }
        if (b.length() < s.length()) b.append("...");
        return b.toString();
    }

    /** A growable int stack for MARK positions. */
    private static final class IntStack {
        private int[] a = new int[16];
        private int n;

        void push(int v) {
            if (n == a.length) a = java.util.Arrays.copyOf(a, n * 2);
            a[n++] = v;
        }

        int pop() { return a[--n]; }

        int peek() { return a[n - 1]; }

        int size() { return n; }

        boolean isEmpty() { return n == 0; }
    }
}
