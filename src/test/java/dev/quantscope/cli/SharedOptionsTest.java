package dev.quantscope.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An option that several commands share is declared once, in its mixin: every command offering it must get it
 * from that mixin (picocli refuses two options of one name in a command, so a mixin that declares the name proves
 * the command's option is the mixin's). A new command that declares {@code --threads} itself fails here.
 */
class SharedOptionsTest {

    /** Each shared option's name and the one class that may declare it. */
    private static final Map<String, Class<?>> SHARED = Map.ofEntries(
            Map.entry("--threads", ThreadsOption.class),
            Map.entry("--json", JsonOption.class),
            Map.entry("--ctx", ContextOption.class),
            Map.entry("--chunks", ChunksOption.class),
            Map.entry("--kv-cache", KvCacheOption.class),
            Map.entry("--vs-llama-cpp", LlamaCppOption.class),
            Map.entry("--method", PruneMethodOption.class),
            Map.entry("--calibration-tokens", CalibrationTokensOption.class),
            Map.entry("--images", DataSetOptions.class),
            Map.entry("--scale", DataSetOptions.class),
            Map.entry("--arch", ArchitectureOption.class),
            Map.entry("--patience", TrainingOptions.class),
            Map.entry("--keep-best", TrainingOptions.class),
            Map.entry("--val-images", ValidationSetOptions.class),
            Map.entry("--epochs", TrainingRunOptions.class),
            // --batch and --seed are TrainingRunOptions' too, but bench kernels' --batch (a matmul's rows) and
            // generate's --seed (the sampler's) are other things of the same name.
            Map.entry("--lr", TrainingRunOptions.class));

    @Test
    void everyCommandOfferingASharedOptionGetsItFromItsMixin() {
        for (Map.Entry<String, Class<?>> shared : SHARED.entrySet()) {
            Set<String> offering = new TreeSet<>();
            for (CommandSpec command : commands(QuantScopeCommand.commandLine())) {
                OptionSpec option = command.findOption(shared.getKey());
                if (option == null) continue;
                offering.add(command.qualifiedName());
                assertTrue(declaredByMixin(command, shared.getKey(), shared.getValue()),
                        command.qualifiedName() + " declares " + shared.getKey() + " itself instead of mixing in "
                                + shared.getValue().getSimpleName());
            }
            // shared by at least two commands, or it would not need a mixin (and the check above would be empty)
            assertTrue(offering.size() >= 2, shared.getKey() + " offered by " + offering);
        }
    }

    @Test
    void threadsIsTheSameOptionInAllCommandsThatCompute() {
        Set<String> offering = new TreeSet<>();
        for (CommandSpec command : commands(QuantScopeCommand.commandLine())) {
            if (command.findOption("--threads") != null) offering.add(command.qualifiedName());
        }
        assertEquals(new TreeSet<>(List.of("quantscope accuracy", "quantscope bench", "quantscope bench kernels",
                "quantscope bench prune", "quantscope bench quantize", "quantscope bench stats", "quantscope bench train",
                "quantscope distill", "quantscope eval", "quantscope generate", "quantscope imatrix", "quantscope prune",
                "quantscope quantize", "quantscope recover", "quantscope sweep", "quantscope train",
                "quantscope synth")), offering);
    }

    /** One check for every command: a command that did not check would have read --threads 0 its own way. */
    @Test
    void zeroThreadsIsRefusedInOneSentenceByEveryCommand() {
        for (String[] args : List.of(new String[] {"eval", "m.gguf", "--text", "t.txt", "--threads", "0"},
                new String[] {"generate", "m.gguf", "--prompt", "x", "--threads", "0"},
                new String[] {"bench", "m.gguf", "--threads", "0"},
                new String[] {"bench", "kernels", "--threads", "0"},
                new String[] {"quantize", "m.gguf", "o.gguf", "--type", "Q4_K_M", "--threads", "0"},
                new String[] {"recover", "--dense", "d.gguf", "--pruned", "p.gguf", "-o", "o.gguf", "--threads", "0"})) {
            StringWriter err = new StringWriter();
            CommandLine cl = QuantScopeCommand.commandLine();
            cl.setOut(new PrintWriter(new StringWriter(), true));
            cl.setErr(new PrintWriter(err, true));
            int exit = cl.execute(args);
            assertNotEquals(0, exit, String.join(" ", args));
            assertEquals("quantscope: --threads must be at least 1", err.toString().strip(), String.join(" ", args));
        }
    }

    private static boolean declaredByMixin(CommandSpec command, String name, Class<?> mixinClass) {
        for (CommandSpec mixin : command.mixins().values()) {
            if (mixinClass.isInstance(mixin.userObject()) && mixin.findOption(name) != null) return true;
            if (declaredByMixin(mixin, name, mixinClass)) return true;
        }
        return false;
    }

    private static List<CommandSpec> commands(CommandLine root) {
        List<CommandSpec> all = new ArrayList<>();
        all.add(root.getCommandSpec());
        for (CommandLine sub : root.getSubcommands().values()) all.addAll(commands(sub));
        return all;
    }
}
