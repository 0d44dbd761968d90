package dev.quantscope.engine.llama;

import java.io.IOException;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.CodeElement;
import java.lang.classfile.CodeModel;
import java.lang.classfile.MethodModel;
import java.lang.classfile.Opcode;
import java.lang.classfile.instruction.InvokeDynamicInstruction;
import java.lang.classfile.instruction.InvokeInstruction;
import java.lang.classfile.instruction.LineNumber;
import java.lang.classfile.instruction.NewMultiArrayInstruction;
import java.lang.classfile.instruction.NewObjectInstruction;
import java.lang.classfile.instruction.NewPrimitiveArrayInstruction;
import java.lang.classfile.instruction.NewReferenceArrayInstruction;
import java.lang.classfile.instruction.ThrowInstruction;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Reads the compiled project (its class files: what javac wrote, before any JIT) and lists every instruction that
 * creates an object or an array on the code path of some methods: every project method they can call, following
 * interface and virtual calls to each implementation in the project. Allowed are the allocations that build an
 * exception about to be thrown (from its {@code new} to the {@code athrow}) and the grow-only scratch named in
 * {@link #GROW_ONLY}. JDK methods are not followed; the Vector API's values are objects in the bytecode that C2
 * keeps in registers when it compiles them well, which is the JIT's share and what bench's JSON reports.
 */
final class AllocationSites {
    private AllocationSites() {}

    private static final String PROJECT = "dev/quantscope/";
    private static final String GUI = "dev/quantscope/app/";

    /**
     * Per-thread scratch that grows to the widest matrix a thread has met and is then reused: the batched path's
     * decoded rows. It allocates in a thread's first batches only.
     */
    private static final Set<String> GROW_ONLY = Set.of("dev/quantscope/engine/kernel/DecodedRow.ensure");

    /**
     * Calls out of the engine's own code: the caller's logits consumer and matmul observer, and the row pool's
     * task, whose only implementations on this path are the engine's own methods (reached directly as well).
     */
    private static final Set<String> NOT_FOLLOWED = Set.of(
            "dev/quantscope/engine/llama/LlamaEngine$LogitsConsumer",
            "dev/quantscope/engine/llama/MatmulObserver",
            "dev/quantscope/engine/kernel/RangeTask");

    private static final Set<String> BOXES = Set.of("java/lang/Boolean", "java/lang/Byte", "java/lang/Character",
            "java/lang/Short", "java/lang/Integer", "java/lang/Long", "java/lang/Float", "java/lang/Double");

    private record Method(ClassModel owner, MethodModel model) {
        String name() { return owner.thisClass().asInternalName() + "." + model.methodName().stringValue(); }

        String key() { return name() + model.methodType().stringValue(); }
    }

    /**
     * The allocation sites, one line each ({@code owner.method line N: what}), on the path of the methods named
     * {@code roots} of {@code root}; empty when there is none.
     */
    static List<String> reachableFrom(Class<?> root, String... roots) throws IOException {
        Map<String, ClassModel> classes = projectClasses(root);
        ClassModel start = classes.get(root.getName().replace('.', '/'));
        Deque<Method> work = new ArrayDeque<>();
        for (MethodModel m : start.methods()) {
            if (Set.of(roots).contains(m.methodName().stringValue())) work.push(new Method(start, m));
        }
        if (work.isEmpty()) throw new IllegalArgumentException("no method " + List.of(roots) + " in " + root);
        Set<String> seen = new HashSet<>();
        List<String> sites = new ArrayList<>();
        while (!work.isEmpty()) {
            Method m = work.pop();
            if (!seen.add(m.key())) continue;
            Optional<CodeModel> code = m.model().code();
            if (code.isEmpty()) continue;
            scan(m, code.get(), classes, work, sites);
        }
        return sites;
    }

    private static void scan(Method m, CodeModel code, Map<String, ClassModel> classes, Deque<Method> work,
                             List<String> sites) {
        boolean growOnly = GROW_ONLY.contains(m.name());
        boolean throwing = false;
        int line = -1;
        for (CodeElement e : code) {
            String site = null;
            switch (e) {
                case LineNumber ln -> line = ln.line();
                case ThrowInstruction t -> throwing = false;
                case NewObjectInstruction n -> {
                    if (isThrowable(n.className().asInternalName())) throwing = true;
                    else site = "new " + n.className().asInternalName();
                }
                case NewPrimitiveArrayInstruction n ->
                        site = "new " + n.typeKind().name().toLowerCase(Locale.ROOT) + "[]";
                case NewReferenceArrayInstruction n ->
                        site = "new " + n.componentType().asSymbol().displayName() + "[]";
                case NewMultiArrayInstruction n -> site = "new " + n.arrayType().asSymbol().displayName();
                case InvokeDynamicInstruction i -> site = "invokedynamic " + i.name().stringValue();
                case InvokeInstruction i -> {
                    String owner = i.owner().asInternalName();
                    if (BOXES.contains(owner) && i.name().stringValue().equals("valueOf")) {
                        site = "boxing " + owner + ".valueOf";
                    } else if (!throwing) {
                        work.addAll(targets(i, classes));
                    }
                }
                default -> {}
            }
            if (site != null && !throwing && !growOnly) sites.add(m.name() + " line " + line + ": " + site);
        }
    }

    /** The project methods an invocation can run: for a virtual or interface call, each implementation's. */
    private static List<Method> targets(InvokeInstruction i, Map<String, ClassModel> classes) {
        String owner = i.owner().asInternalName();
        if (!owner.startsWith(PROJECT) || owner.startsWith(GUI) || NOT_FOLLOWED.contains(owner)) return List.of();
        String name = i.name().stringValue(), type = i.type().stringValue();
        if (i.opcode() == Opcode.INVOKESTATIC || i.opcode() == Opcode.INVOKESPECIAL) {
            return resolve(owner, name, type, classes).stream().toList();
        }
        List<Method> found = new ArrayList<>();
        for (String c : classes.keySet()) {
            if (isSubtype(c, owner, classes)) resolve(c, name, type, classes).ifPresent(found::add);
        }
        return found;
    }

    /** The method {@code name type} that class {@code c} runs: its own, a superclass's or an interface default. */
    private static Optional<Method> resolve(String c, String name, String type, Map<String, ClassModel> classes) {
        ClassModel model = classes.get(c);
        if (model == null) return Optional.empty();
        for (MethodModel m : model.methods()) {
            if (m.methodName().equalsString(name) && m.methodType().equalsString(type) && m.code().isPresent()) {
                return Optional.of(new Method(model, m));
            }
        }
        Stream<String> supers = Stream.concat(model.superclass().stream().map(s -> s.asInternalName()),
                model.interfaces().stream().map(s -> s.asInternalName()));
        return supers.map(s -> resolve(s, name, type, classes)).flatMap(Optional::stream).findFirst();
    }

    private static boolean isSubtype(String c, String of, Map<String, ClassModel> classes) {
        if (c.equals(of)) return true;
        ClassModel model = classes.get(c);
        if (model == null) return false;
        if (model.superclass().isPresent() && isSubtype(model.superclass().get().asInternalName(), of, classes)) {
            return true;
        }
        return model.interfaces().stream().anyMatch(s -> isSubtype(s.asInternalName(), of, classes));
    }

    private static boolean isThrowable(String internalName) {
        try {
            return Throwable.class.isAssignableFrom(
                    Class.forName(internalName.replace('/', '.'), false, AllocationSites.class.getClassLoader()));
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    /** Every class file of the project beside {@code root}'s, by internal name, the GUI's left out. */
    private static Map<String, ClassModel> projectClasses(Class<?> root) throws IOException {
        Path dir;
        try {
            dir = Path.of(root.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IOException(e);
        }
        Map<String, ClassModel> classes = new HashMap<>();
        try (Stream<Path> files = Files.walk(dir.resolve(PROJECT))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".class")).toList()) {
                ClassModel model = ClassFile.of().parse(f);
                String name = model.thisClass().asInternalName();
                if (!name.startsWith(GUI)) classes.put(name, model);
            }
        }
        return classes;
    }
}
