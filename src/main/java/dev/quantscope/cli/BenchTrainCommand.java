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
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * {@code quantscope bench train --arch SPEC --images IDX --labels IDX [--limit N] [--epochs N --batch B …]}: the
 * training speed of a classifier, in images per second per epoch (no validation, nothing saved), for the comparison
 * with PyTorch on the same CPU.
 */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Training speed: epochs of a classifier on IDX images, in images per second.",
        footer = "--json prints {\"architecture\", \"parameters\", \"images\", \"batch\", \"threads\", \"epoch_seconds\": […], "
                + "\"images_per_second\"} (the median epoch's).")
public final class BenchTrainCommand implements java.util.concurrent.Callable<Integer> {

    @Mixin
    ArchitectureOption arch;

    @Mixin
    DataSetOptions data;

    @Mixin
    TrainingOptions training;

    @Option(names = "--limit", paramLabel = "N", description = "Train on the first N images only (default: all).")
    Integer limit;

    @Mixin
    ThreadsOption threads;

    @Mixin
    JsonOption json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        int n = threads.count();
        if (limit != null && limit < 1) throw new IllegalArgumentException("--limit must be at least 1");
        LabeledImages all = data.read();
        LabeledImages train = limit == null || limit >= all.count() ? all : all.slice(0, limit);
        TrainingSettings settings = training.settings(n, train.count());
        Architecture architecture = arch.architecture(train.shape(), train.classes());
        Classifier model = Classifier.initialized(architecture, settings.seed());
        PrintWriter out = spec.commandLine().getOut();
        double[] seconds = new double[settings.epochs()];
        double[] previous = {0};
        TrainingResult result = new Trainer(settings).fit(model, train, Optional.empty(), Trainer.crossEntropy(train),
                new TrainingListener() {
                    @Override
                    public void onEpoch(EpochReport r) {
                        double now = r.elapsed().toNanos() / 1e9;
                        seconds[r.epoch() - 1] = now - previous[0];
                        previous[0] = now;
                        if (!json.json) {
                            out.printf(Locale.ROOT, "epoch %d: %.2f s, %.0f images/s (loss %.4f)%n", r.epoch(), seconds[r.epoch() - 1],
                                    train.count() / seconds[r.epoch() - 1], r.trainLoss());
                            out.flush();
                        }
                    }
                }, () -> false);
        double[] sorted = Arrays.copyOf(seconds, result.epochs().size());
        Arrays.sort(sorted);
        double median = sorted[sorted.length / 2];
        if (json.json) {
            ObjectNode o = CliJson.object();
            o.put("architecture", architecture.spec());
            o.put("parameters", architecture.parameterCount());
            o.put("images", train.count());
            o.put("batch", settings.batchSize());
            o.put("threads", n);
            ArrayNode e = o.putArray("epoch_seconds");
            for (int i = 0; i < result.epochs().size(); i++) e.add(seconds[i]);
            o.put("images_per_second", train.count() / median);
            out.println(CliJson.compact(o));
        } else {
            out.printf(Locale.ROOT, "%s (%,d parameters), batch %d, %d threads: %.0f images/s (median epoch of %d)%n",
                    architecture.spec(), architecture.parameterCount(), settings.batchSize(), n, train.count() / median, sorted.length);
        }
        out.flush();
        return 0;
    }
}
