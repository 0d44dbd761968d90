package dev.quantscope.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quantscope.distill.Distillation;
import dev.quantscope.distill.DistillationListener;
import dev.quantscope.distill.DistillationResult;
import dev.quantscope.distill.DistillationSettings;
import dev.quantscope.distill.StudentRun;
import dev.quantscope.engine.classifier.Accuracy;
import dev.quantscope.engine.classifier.AccuracyResult;
import dev.quantscope.engine.classifier.Architecture;
import dev.quantscope.engine.classifier.Classifier;
import dev.quantscope.engine.classifier.LabeledImages;
import dev.quantscope.train.EpochReport;
import dev.quantscope.train.TrainingResult;
import dev.quantscope.train.TrainingSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code quantscope distill --teacher MODEL --student SPEC --images IDX --labels IDX [--val-images IDX --val-labels IDX]
 * [--temperature T --alpha A] [--baseline] --epochs N -o OUT [--json]}: knowledge distillation of a classifier into a
 * smaller one, and with {@code --baseline} the same student trained on the labels alone beside it.
 */
@Command(name = "distill", mixinStandardHelpOptions = true,
        description = "Train a small classifier (the student, described by a SPEC) from a larger one's softened outputs "
                + "and the labels (knowledge distillation, Hinton et al. 2015).",
        footer = {"The loss is alpha * CE(student, labels) + (1 - alpha) * T^2 * KL(softmax(teacher/T) || softmax(student/T)).",
                "A SPEC names the hidden layers, e.g. fc:64 or conv:16,pool,fc:64; the output layer is added.",
                "With --baseline the student is also trained on the labels alone, from the same initial weights, and "
                        + "written to OUT's name with .labels-only before its extension.",
                "Accuracies are measured on the validation set when given, else on the training images."})
public final class DistillCommand implements Callable<Integer> {

    @Option(names = "--teacher", required = true, paramLabel = "MODEL",
            description = "The teacher classifier (safetensors with its architecture, or a file whose architecture can be inferred).")
    Path teacher;

    @Option(names = "--student", required = true, paramLabel = "SPEC", description = "The student's hidden layers, e.g. fc:64.")
    String student;

    @Mixin
    DataSetOptions data;

    @Mixin
    ValidationSetOptions validation;

    @Mixin
    TrainingOptions training;

    @Option(names = "--temperature", paramLabel = "T", defaultValue = "" + DistillationSettings.DEFAULT_TEMPERATURE,
            description = "Softmax temperature of the soft term (default: ${DEFAULT-VALUE}).")
    double temperature;

    @Option(names = "--alpha", paramLabel = "A", defaultValue = "" + DistillationSettings.DEFAULT_ALPHA,
            description = "Weight of the labels' cross-entropy; 1 - A goes to the teacher (default: ${DEFAULT-VALUE}).")
    double alpha;

    @Option(names = "--baseline", description = "Also train the student on the labels alone, for comparison.")
    boolean baseline;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT",
            description = "The distilled student to write (safetensors, its architecture in the metadata).")
    Path output;

    @Mixin
    ThreadsOption threads;

    @Mixin
    JsonOption json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (!(temperature > 0) || Double.isInfinite(temperature)) throw new IllegalArgumentException("--temperature must be a positive number");
        if (!(alpha >= 0 && alpha <= 1)) throw new IllegalArgumentException("--alpha must lie between 0 and 1");
        int n = threads.count();
        LabeledImages train = data.read();
        Optional<LabeledImages> validationSet = validation.read(data.scaling());
        TrainingSettings settings = training.settings(n, train.count());
        Classifier teacherModel = Classifier.load(teacher);
        Architecture studentArchitecture = Architecture.parse(student, train.shape(),
                teacherModel.architecture().classes());
        if (train.shape().features() != teacherModel.architecture().input().features()) {
            throw new IllegalArgumentException(teacher + " takes inputs of " + teacherModel.architecture().input()
                    + " and the images in " + data.images() + " are " + train.shape());
        }
        Distillation distillation = new Distillation(teacherModel, studentArchitecture, settings,
                new DistillationSettings(temperature, alpha), baseline);

        PrintWriter err = spec.commandLine().getErr();
        err.printf(Locale.ROOT, "distilling %s (%,d parameters) into %s (%,d parameters)%s: about %s%n",
                teacherModel.architecture().spec(), teacherModel.architecture().parameterCount(),
                studentArchitecture.spec(), studentArchitecture.parameterCount(),
                baseline ? ", and the same student on labels alone" : "", readable(distillation.estimate(train)));
        err.flush();
        DistillationResult result = distillation.run(train, validationSet, new ProgressLines(err, settings.epochs()), () -> false);

        result.distilled().save(output);
        Optional<Path> labelsOnlyFile = result.labelsOnly().map(c -> labelsOnlyPath(output));
        if (labelsOnlyFile.isPresent()) result.labelsOnly().get().save(labelsOnlyFile.get());

        LabeledImages measured = validationSet.orElse(train);
        AccuracyResult teacherAccuracy = Accuracy.measure(teacherModel, measured, n, 0);
        AccuracyResult distilledAccuracy = Accuracy.measure(result.distilled(), measured, n, 0);
        Optional<AccuracyResult> labelsOnlyAccuracy = result.labelsOnly().map(c -> Accuracy.measure(c, measured, n, 0));

        PrintWriter out = spec.commandLine().getOut();
        if (json.json) {
            ObjectNode o = CliJson.object();
            o.put("measured_on", validationSet.isPresent() ? "validation" : "training");
            o.put("n", measured.count());
            o.put("temperature", temperature);
            o.put("alpha", alpha);
            ObjectNode t = o.putObject("teacher");
            t.put("architecture", teacherModel.architecture().spec());
            t.put("parameters", teacherModel.architecture().parameterCount());
            putAccuracy(t, teacherAccuracy);
            o.set("distilled", studentJson(studentArchitecture, distilledAccuracy, result.distilledRun(), output));
            if (labelsOnlyAccuracy.isPresent()) {
                o.set("labels_only", studentJson(studentArchitecture, labelsOnlyAccuracy.get(),
                        result.labelsOnlyRun().orElseThrow(), labelsOnlyFile.orElseThrow()));
            }
            out.println(CliJson.compact(o));
        } else {
            out.printf(Locale.ROOT, "%-12s %8s %12s %10s%n", "", "top-1", "parameters", "time");
            out.printf(Locale.ROOT, "%-12s %6.2f %% %,12d %10s%n", "teacher", 100 * teacherAccuracy.top1(),
                    teacherModel.architecture().parameterCount(), "–");
            out.printf(Locale.ROOT, "%-12s %6.2f %% %,12d %8.1f s%n", "distilled", 100 * distilledAccuracy.top1(),
                    studentArchitecture.parameterCount(), seconds(result.distilledRun().elapsed()));
            if (labelsOnlyAccuracy.isPresent()) {
                out.printf(Locale.ROOT, "%-12s %6.2f %% %,12d %8.1f s%n", "labels only", 100 * labelsOnlyAccuracy.get().top1(),
                        studentArchitecture.parameterCount(), seconds(result.labelsOnlyRun().orElseThrow().elapsed()));
            }
            out.printf(Locale.ROOT, "top-1 on the %,d %s images; T = %s, alpha = %s; student written to %s%s%n",
                    measured.count(), validationSet.isPresent() ? "validation" : "training", temperature, alpha, output,
                    labelsOnlyFile.map(p -> ", labels-only student to " + p).orElse(""));
        }
        out.flush();
        return 0;
    }

    /** {@code student.safetensors} → {@code student.labels-only.safetensors}, beside it. */
    static Path labelsOnlyPath(Path output) {
        String name = output.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String labelsOnly = dot > 0 ? name.substring(0, dot) + ".labels-only" + name.substring(dot) : name + ".labels-only";
        return output.resolveSibling(labelsOnly);
    }

    private static void putAccuracy(ObjectNode node, AccuracyResult accuracy) {
        node.put("top1", accuracy.top1());
        node.put("top5", accuracy.top5());
    }

    /** The student's run as {@code train --json} reports one (one shape for both commands), with its top-1 and top-5. */
    private static ObjectNode studentJson(Architecture architecture, AccuracyResult accuracy, TrainingResult run, Path file) {
        ObjectNode node = TrainCommand.toJson(architecture, run, file);
        putAccuracy(node, accuracy);
        return node;
    }

    private static double seconds(Duration d) {
        return d.toNanos() / 1e9;
    }

    private static String readable(Duration d) {
        long s = Math.max(1, Math.round(seconds(d)));
        return s < 60 ? s + " s" : s / 60 + " min " + s % 60 + " s";
    }

    /** One line per finished epoch on stderr, train's line after the student's name. */
    private record ProgressLines(PrintWriter err, int epochs) implements DistillationListener {
        @Override
        public void onEpoch(StudentRun run, EpochReport r) {
            err.printf(Locale.ROOT, "%-11s %s%n", run == StudentRun.DISTILLED ? "distilled" : "labels only",
                    TrainCommand.progressLine(r, epochs));
            err.flush();
        }
    }
}
