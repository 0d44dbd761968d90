package dev.quantscope.cli;

import picocli.CommandLine.Command;

/** {@code quantscope inspect FILE}: placeholder until the command lands. */
@Command(name = "inspect", mixinStandardHelpOptions = true, description = "Print a model's tensors and summary.")
public final class InspectCommand implements Runnable {
    @Override
    public void run() {
        throw new UnsupportedOperationException("inspect pending");
    }
}
