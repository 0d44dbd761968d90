package dev.quantscope.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quantscope.engine.classifier.Classifier;
import dev.quantscope.engine.classifier.LabeledImages;
import dev.quantscope.eval.classifier.CalibrationSplit;
import dev.quantscope.eval.classifier.ClassifierCompression;
import dev.quantscope.eval.classifier.ClassifierPoint;
import dev.quantscope.eval.classifier.ClassifierVariant;
import dev.quantscope.prune.PruneMethod;
import dev.quantscope.prune.SparsityPattern;
import dev.quantscope.quant.scheme.QuantScheme;
import dev.quantscope.task.ProgressMonitor;
import dev.quantscope.tensor.Units;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;

/** {@code accuracy --types/--sparsities}: the classifier stored each way, measured side by side. */
final class ClassifierVariantsTable {
    private ClassifierVariantsTable() {}

    static int print(Classifier classifier, LabeledImages images, CompressionGridOptions grid, int threads, boolean json,
                     CommandLine commandLine) {
        List<ClassifierVariant> variants = new ArrayList<>();
        variants.add(new ClassifierVariant.Original());
        for (String id : grid.types()) variants.add(new ClassifierVariant.Quantized(QuantScheme.parse(id)));
        List<PruneMethod> methods = grid.methods();
        for (SparsityPattern pattern : grid.patterns()) {
            for (PruneMethod method : methods) variants.add(new ClassifierVariant.Pruned(method, pattern));
        }
        CalibrationSplit split = CalibrationSplit.of(images, variants);
        LabeledImages measured = split.measured();
        int calibrationCount = split.setAside();
        List<ClassifierPoint> points = ClassifierCompression.sweep(classifier, variants, measured, split.calibration(), threads,
                ProgressMonitor.NONE);
        PrintWriter out = commandLine.getOut();
        if (json) {
            ObjectNode o = CliJson.object();
            o.put("n", measured.count());
            o.put("calibrationImages", calibrationCount);
            ArrayNode rows = o.putArray("variants");
            for (ClassifierPoint p : points) {
                ObjectNode row = rows.addObject();
                row.put("variant", p.variant().label());
                row.put("bytes", p.bytes());
                row.put("bitsPerWeight", p.bitsPerWeight());
                row.put("sparsity", p.sparsity());
                row.put("top1", p.top1());
                row.put("top5", p.top5());
                ArrayNode notes = row.putArray("notes");
                p.notes().forEach(notes::add);
            }
            out.println(CliJson.compact(o));
        } else {
            out.printf(Locale.ROOT, "%d images%s%n%n", measured.count(), calibrationCount == 0 ? ""
                    : " (the first " + calibrationCount + " calibrate Wanda and SparseGPT and are left out)");
            out.printf(Locale.ROOT, "%-26s %10s %7s %8s %8s %8s%n", "variant", "size", "bpw", "sparsity", "top-1", "top-5");
            for (ClassifierPoint p : points) {
                out.printf(Locale.ROOT, "%-26s %10s %7.2f %7.1f%% %7.2f%% %7.2f%%%n", p.variant().label(),
                        Units.bytes(p.bytes()), p.bitsPerWeight(), 100 * p.sparsity(), 100 * p.top1(), 100 * p.top5());
            }
            // A note shared by several variants (the output layer every pruning leaves dense) is printed once.
            Map<String, List<String>> variantsByNote = new LinkedHashMap<>();
            for (ClassifierPoint p : points) {
                for (String note : p.notes()) variantsByNote.computeIfAbsent(note, k -> new ArrayList<>()).add(p.variant().label());
            }
            if (!variantsByNote.isEmpty()) out.println();
            variantsByNote.forEach((note, labels) -> out.printf(Locale.ROOT, "%s (%s)%n", note, String.join(", ", labels)));
        }
        out.flush();
        return 0;
    }
}
