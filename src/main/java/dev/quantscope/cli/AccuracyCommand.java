package dev.quantscope.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quantscope.engine.classifier.Accuracy;
import dev.quantscope.engine.classifier.AccuracyResult;
import dev.quantscope.engine.classifier.Classifier;
import dev.quantscope.engine.classifier.LabeledImages;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code quantscope accuracy MODEL --images IDX --labels IDX [--scale F] [--mean M --std S] [--json]}: top-1, top-5 and
 * the confusion matrix. With {@code --types} and/or {@code --sparsities}, the classifier is instead stored each way in
 * memory (quantized by each scheme; pruned to each sparsity by each {@code --methods}) and every variant's size and
 * accuracy are printed beside the original's.
 */
@Command(name = "accuracy", mixinStandardHelpOptions = true,
        description = "Measure a classifier's top-1 and top-5 accuracy and confusion matrix on labelled IDX images.",
        footer = "--json prints {\"top1\": …, \"top5\": …, \"n\": …, \"confusion\": [[…]]} with accuracies from 0 to 1; "
                + "confusion[true][predicted] counts examples.")
public final class AccuracyCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "MODEL", description = "Classifier (safetensors with its architecture, or a PyTorch/GGUF/ONNX file whose architecture can be inferred or is in NAME.architecture.json beside it).")
    Path model;

    @Mixin
    DataSetOptions data;

    @Mixin
    ThreadsOption threads;

    @Mixin
    CompressionGridOptions grid;

    @Mixin
    JsonOption json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        int n = threads.count();
        LabeledImages images = data.read();
        Classifier classifier = Classifier.load(model);
        if (!grid.isEmpty()) return ClassifierVariantsTable.print(classifier, images, grid, n, json.json, spec.commandLine());
        AccuracyResult r = Accuracy.measure(classifier, images, n, 0);
        PrintWriter out = spec.commandLine().getOut();
        if (json.json) {
            out.println(CliJson.compact(toJson(r)));
        } else {
            out.printf(Locale.ROOT, "%d images, %d classes (%s)%ntop-1  %.2f %%%ntop-5  %.2f %%%n%n", r.n(),
                    r.confusion().length, classifier.architecture().spec().isEmpty() ? "linear" : classifier.architecture().spec(),
                    100 * r.top1(), 100 * r.top5());
            out.print(confusionTable(r.confusion()));
        }
        out.flush();
        return 0;
    }

    static ObjectNode toJson(AccuracyResult r) {
        ObjectNode o = CliJson.object();
        o.put("top1", r.top1());
        o.put("top5", r.top5());
        o.put("n", r.n());
        ArrayNode rows = o.putArray("confusion");
        for (int[] row : r.confusion()) {
            ArrayNode a = rows.addArray();
            for (int v : row) a.add(v);
        }
        return o;
    }

    /** Rows: true class; columns: predicted class; a last column with each class's recall. */
    static String confusionTable(int[][] confusion) {
        int classes = confusion.length, width = 5;
        for (int[] row : confusion) for (int v : row) width = Math.max(width, String.valueOf(v).length() + 1);
        StringBuilder sb = new StringBuilder("true\\pred");
        for (int c = 0; c < classes; c++) sb.append(pad(String.valueOf(c), width));
        sb.append("   recall\n");
        for (int t = 0; t < classes; t++) {
            sb.append(String.format(Locale.ROOT, "%-9s", t));
            long total = 0;
            for (int p = 0; p < classes; p++) {
                sb.append(pad(String.valueOf(confusion[t][p]), width));
                total += confusion[t][p];
            }
            sb.append(total == 0 ? "        –" : String.format(Locale.ROOT, " %7.2f%%", 100.0 * confusion[t][t] / total)).append('\n');
        }
        return sb.toString();
    }

    private static String pad(String s, int width) {
        return " ".repeat(Math.max(0, width - s.length())) + s;
    }
}
