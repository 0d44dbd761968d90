package dev.quantscope.cli;

import dev.quantscope.engine.classifier.Architecture;
import dev.quantscope.engine.classifier.InputShape;
import picocli.CommandLine.Option;

/** {@code --arch SPEC}, the hidden layers of a classifier to train, mixed into {@code train} and {@code bench train}. */
public final class ArchitectureOption {

    @Option(names = "--arch", required = true, paramLabel = "SPEC",
            description = "Hidden layers, e.g. fc:256,fc:128 or conv:32,pool,conv:64,pool,fc:128 (ReLU after each fc and conv "
                    + "unless gelu follows; also bn, dropout:P, conv:C:K, pool:N); the output layer is added.")
    String spec;

    public Architecture architecture(InputShape input, int classes) {
        return Architecture.parse(spec, input, classes);
    }
}
