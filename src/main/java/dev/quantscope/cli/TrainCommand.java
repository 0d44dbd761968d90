package dev.quantscope.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quantscope.engine.classifier.Architecture;
import dev.quantscope.engine.classifier.Classifier;
import dev.quantscope.engine.classifier.LabeledImages;
import dev.quantscope.train.EpochReport;
import dev.quantscope.train.Trainer;
import dev.quantscope.train.TrainingListener;
import dev.quantscope.train.TrainingResult;
import dev.quantscope.train.TrainingSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code quantscope train --arch SPEC --images IDX --labels IDX [--val-images IDX --val-labels IDX] --epochs N -o OUT}:
 * trains a classifier from its seed, one progress line per epoch on stderr, and writes it as safetensors with its
 * architecture in the metadata (which {@code accuracy} and {@code inspect} read back).
 */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train a classifier (MLP or small CNN) on labelled IDX images and save it as safetensors.",
        footer = "--json prints {\"architecture\", \"parameters\", \"epochs\": [{\"epoch\", \"train_loss\", \"train_accuracy\", "
                + "\"val_accuracy\", \"val_loss\", \"seconds\"}], \"kept_epoch\", \"stopped_early\", \"train_accuracy\", "
                + "\"val_accuracy\", \"seconds\", \"output\"} with accuracies from 0 to 1 (val figures null without a validation set).")
public final class TrainCommand implements Callable<Integer> {

    @Mixin
    ArchitectureOption arch;

    @Mixin
    DataSetOptions data;

    @Mixin
    ValidationSetOptions validation;

    @Mixin
    TrainingOptions training;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT", description = "Classifier to write (safetensors).")
    Path output;

    @Mixin
    ThreadsOption threads;

    @Mixin
    JsonOption json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        int n = threads.count();
        LabeledImages train = data.read();
        Optional<LabeledImages> val = validation.read(data.scaling());
        TrainingSettings settings = training.settings(n, train.count());
        int classes = Math.max(train.classes(), val.map(LabeledImages::classes).orElse(2));
        Architecture architecture = arch.architecture(train.shape(), classes);
        Classifier model = Classifier.initialized(architecture, settings.seed());
        PrintWriter out = spec.commandLine().getOut(), err = spec.commandLine().getErr();
        err.printf(Locale.ROOT, "training %s (%,d parameters) on %,d images, %d epochs, batch %d, %d threads%n",
                architecture.spec(), architecture.parameterCount(), train.count(), settings.epochs(), settings.batchSize(), n);
        err.flush();
        TrainingResult result = new Trainer(settings).fit(model, train, val, Trainer.crossEntropy(train),
                new TrainingListener() {
                    @Override
                    public void onEpoch(EpochReport r) {
                        err.println(progressLine(r, settings.epochs()));
                        err.flush();
                    }
                }, () -> false);
        model.save(output);
        EpochReport kept = result.epochs().get(result.keptEpoch() - 1);
        if (json.json) {
            out.println(CliJson.compact(toJson(architecture, result, output)));
        } else {
            out.printf(Locale.ROOT, "%s: %s, %,d parameters, epoch %d of %d kept%s; train accuracy %.2f %%%s; %.1f s%n",
                    output, architecture.spec(), architecture.parameterCount(), result.keptEpoch(), result.epochs().size(),
                    result.stoppedEarly() ? " (stopped early)" : "", 100 * kept.trainAccuracy(),
                    kept.validationAccuracy().isPresent() ? String.format(Locale.ROOT, ", validation accuracy %.2f %%", 100 * kept.validationAccuracy().getAsDouble()) : "",
                    result.elapsed().toMillis() / 1000.0);
        }
        out.flush();
        return 0;
    }

    /** {@code epoch 3/10  loss 0.4123  train 85.12 %  val 84.50 %  12.3 s} */
    static String progressLine(EpochReport r, int epochs) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "epoch %d/%d  loss %.4f  train %.2f %%", r.epoch(), epochs,
                r.trainLoss(), 100 * r.trainAccuracy()));
        r.validationAccuracy().ifPresent(v -> sb.append(String.format(Locale.ROOT, "  val %.2f %%", 100 * v)));
        sb.append(String.format(Locale.ROOT, "  %.1f s", r.elapsed().toMillis() / 1000.0));
        return sb.toString();
    }

    static ObjectNode toJson(Architecture architecture, TrainingResult result, Path output) {
        ObjectNode o = CliJson.object();
        o.put("architecture", architecture.spec());
        o.put("parameters", architecture.parameterCount());
        ArrayNode epochs = o.putArray("epochs");
        for (EpochReport r : result.epochs()) {
            ObjectNode e = epochs.addObject();
            e.put("epoch", r.epoch());
            e.put("train_loss", r.trainLoss());
            e.put("train_accuracy", r.trainAccuracy());
            putOptional(e, "val_accuracy", r.validationAccuracy());
            putOptional(e, "val_loss", r.validationLoss());
            e.put("seconds", r.elapsed().toMillis() / 1000.0);
        }
        EpochReport kept = result.epochs().get(result.keptEpoch() - 1);
        o.put("kept_epoch", result.keptEpoch());
        o.put("stopped_early", result.stoppedEarly());
        o.put("train_accuracy", kept.trainAccuracy());
        putOptional(o, "val_accuracy", kept.validationAccuracy());
        o.put("seconds", result.elapsed().toMillis() / 1000.0);
        o.put("output", output.toString());
        return o;
    }

    private static void putOptional(ObjectNode o, String key, java.util.OptionalDouble v) {
        if (v.isPresent()) o.put(key, v.getAsDouble());
        else o.putNull(key);
    }
}
