package dev.quantscope.format.safetensors.export;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.quantscope.format.FileCommit;
import dev.quantscope.task.ProgressMonitor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collection;
import java.util.Map;

/** Writes a Hugging Face config.json (e.g. with a {@code quantization_config} block) through {@link FileCommit}. */
public final class HfConfigJson {
    private HfConfigJson() {}

    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public static void write(Map<String, Object> config, Path target, Collection<Path> inputs, ProgressMonitor monitor)
            throws IOException {
        byte[] json = MAPPER.writeValueAsBytes(config);
        FileCommit.write(target, inputs, monitor, FileCommit.ChannelOpener.FILE,
                ch -> FileCommit.writeFully(ch, ByteBuffer.wrap(json)),
                temp -> {
                    if (!Arrays.equals(Files.readAllBytes(temp), json)) {
                        throw new IOException("verification of the written " + target.getFileName() + " failed");
                    }
                });
    }
}
