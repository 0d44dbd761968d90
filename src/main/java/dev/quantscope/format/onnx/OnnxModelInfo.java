package dev.quantscope.format.onnx;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What an ONNX file says about itself besides its tensors: the {@link dev.quantscope.format.Model#details()} of
 * an ONNX model.
 *
 * @param irVersion          ModelProto.ir_version
 * @param opsets             opset imports, domain to version ("ai.onnx" for the default, empty domain)
 * @param producerName       ModelProto.producer_name ("" when absent)
 * @param producerVersion    ModelProto.producer_version ("" when absent)
 * @param graphName          the main graph's name ("" when absent)
 * @param metadataProps      ModelProto.metadata_props
 * @param nodeCount          nodes of the main graph and all subgraphs
 * @param opTypes            how many nodes of each op type (domain-qualified for non-default domains)
 * @param initializerCount   dense initializers of the main graph and all subgraphs
 * @param constantCount      Constant nodes whose tensor became a model tensor
 * @param subgraphCount      subgraphs (If/Loop/Scan bodies…) walked
 * @param sparseInitializers sparse initializers, which are counted but not listed as tensors
 * @param graph              the main graph's inputs, outputs and nodes, when it is small enough to keep (at most
 *                           {@link OnnxModelParser#MAX_KEPT_NODES} nodes): what a classifier's architecture is read from
 */
public record OnnxModelInfo(long irVersion, Map<String, Long> opsets, String producerName, String producerVersion,
                            String graphName, Map<String, String> metadataProps, long nodeCount,
                            Map<String, Long> opTypes, long initializerCount, long constantCount, long subgraphCount,
                            long sparseInitializers, Optional<OnnxGraph> graph) {

    public OnnxModelInfo {
        // ordered copies: file order for opsets and properties, most frequent first for op types
        opsets = Collections.unmodifiableMap(new LinkedHashMap<>(opsets));
        metadataProps = Collections.unmodifiableMap(new LinkedHashMap<>(metadataProps));
        opTypes = Collections.unmodifiableMap(new LinkedHashMap<>(opTypes));
    }
}
