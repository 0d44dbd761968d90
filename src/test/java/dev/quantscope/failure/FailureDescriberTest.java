package dev.quantscope.failure;

import dev.quantscope.format.ModelFormatException;
import dev.quantscope.quant.preset.PresetNotApplicableException;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

import static org.junit.jupiter.api.Assertions.*;

class FailureDescriberTest {

    @Test
    void aSentenceMessageIsShownAsItIs() {
        ModelFormatException bad = new ModelFormatException(Path.of("m.gguf"), "tensor_count", 8, "is negative");
        assertEquals("m.gguf: tensor_count at byte 8: is negative", FailureDescriber.describe(bad));
        assertEquals("--threads must be at least 1",
                FailureDescriber.describe(new IllegalArgumentException("--threads must be at least 1")));
    }

    @Test
    void aPresetRefusalLosesItsClassName() {
        String s = FailureDescriber.describe(new PresetNotApplicableException("blk.0.ffn_down.weight",
                "cannot be Q8_0: its rows of 172 values do not split into Q8_0's blocks of 32"));
        assertEquals("blk.0.ffn_down.weight cannot be Q8_0: its rows of 172 values do not split into Q8_0's blocks "
                + "of 32", s);
    }

    @Test
    void wrappersAreTakenOff() {
        IOException io = new IOException("disk full");
        assertEquals("disk full", FailureDescriber.describe(new UncheckedIOException(io)));
        assertEquals("disk full", FailureDescriber.describe(new ExecutionException(new CompletionException(io))));
        assertEquals("disk full", FailureDescriber.describe(new IllegalStateException(io)), "new X(cause) wraps");
        assertEquals("disk full", FailureDescriber.describe(new RuntimeException("disk full", io)));
    }

    @Test
    void fileSystemRefusalsNameTheFile() {
        assertEquals("a.gguf: no such file", FailureDescriber.describe(new NoSuchFileException("a.gguf")));
        assertEquals("b.gguf: permission denied", FailureDescriber.describe(new AccessDeniedException("b.gguf")));
        assertEquals("Cancelled", FailureDescriber.describe(new CancellationException("stop")));
        assertEquals("Not enough memory for this operation", FailureDescriber.describe(new OutOfMemoryError()));
    }

    @Test
    void aBugIsAnInternalErrorWithoutAClassName() {
        Failure f = FailureDescriber.classify(new NullPointerException("Cannot read field \"x\" because \"p\" is null"));
        assertInstanceOf(Failure.Internal.class, f);
        assertEquals("An internal error stopped this: Cannot read field \"x\" because \"p\" is null; details are in "
                + "the log", f.sentence());
        assertEquals("An internal error stopped this; details are in the log",
                FailureDescriber.describe(new ArrayIndexOutOfBoundsException()));
        assertEquals("An internal error stopped this: For input string: \"x\"; --verbose prints the details",
                ((Failure.Internal) FailureDescriber.classify(new NumberFormatException("For input string: \"x\"")))
                        .sentence("--verbose prints the details"));
    }

    @Test
    void aMessageQuotingAnotherExceptionKeepsOnlyTheWords() {
        String s = FailureDescriber.describe(new IllegalArgumentException(
                "cannot read x.dat: java.io.EOFException: ends inside entry 3"));
        assertEquals("cannot read x.dat: ends inside entry 3", s);
        assertFalse(FailureDescriber.describe(new IllegalStateException(
                new IllegalArgumentException("CustomError: bad"))).contains("CustomError"));
    }
}
