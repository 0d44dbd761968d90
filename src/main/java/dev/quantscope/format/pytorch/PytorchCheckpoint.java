package dev.quantscope.format.pytorch;

import java.util.List;

/**
 * What the PyTorch reader learned about the archive besides the tensors; kept as the model's details.
 *
 * @param prefix          the archive's top folder ("archive" for recent torch.save, else the file's stem)
 * @param pickleProtocol  the protocol data.pkl declares
 * @param version         the archive's serialization version record, or null when absent
 * @param byteorder       the byteorder record ("little"), or null when absent (older saves; little-endian)
 * @param entries         the archive's members
 * @param copiedTensors   non-contiguous tensors that were copied into row-major order
 */
public record PytorchCheckpoint(String prefix, int pickleProtocol, String version, String byteorder,
                                List<ZipEntry> entries, List<String> copiedTensors) {
    public PytorchCheckpoint {
        entries = List.copyOf(entries);
        copiedTensors = List.copyOf(copiedTensors);
    }
}
