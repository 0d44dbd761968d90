package dev.quantscope.quant.preview;

import dev.quantscope.format.LayerGroup;
import dev.quantscope.format.Model;
import dev.quantscope.format.gguf.GgufFile;
import dev.quantscope.quant.preset.ModelHparams;
import dev.quantscope.quant.preset.Preset;
import dev.quantscope.quant.preset.PresetPlanner;
import dev.quantscope.quant.preset.QuantizableTensors;
import dev.quantscope.quant.preset.SourceTensor;
import dev.quantscope.quant.preset.TensorChoice;
import dev.quantscope.tensor.TensorInfo;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Builds {@link ModelPlan}s for an open model: from a llama-quantize preset, or from a default and rules. */
public final class Plans {
    private Plans() {}

    /**
     * The plan llama-quantize would follow for {@code preset}.
     * @throws dev.quantscope.quant.preset.PresetNotApplicableException when llama-quantize would refuse the model
     */
    public static ModelPlan ofPreset(Preset preset, Model model) {
        List<SourceTensor> sources = new ArrayList<>();
        Map<String, TensorInfo> byName = new HashMap<>();
        for (TensorInfo t : model.tensors()) {
            sources.add(SourceTensor.of(t));
            byName.put(t.name(), t);
        }
        List<TensorChoice> choices = PresetPlanner.plan(preset, hparams(model), sources);
        List<TensorPlan> out = new ArrayList<>(choices.size());
        for (TensorChoice c : choices) {
            TensorInfo t = byName.get(c.name());
            long rowLength = c.source().rowLength();
            long rows = rows(t, rowLength);
            Target target = c.converts() ? new Target.Stored(c.type()) : Target.KEEP;
            String note = c.fellBack() ? "rows of " + rowLength + " do not fit " + c.ruleType() + ": " + c.type() : "";
            out.add(new TensorPlan(c.name(), rows, rowLength, t.dtype(), target,
                    target.size(t.dtype(), rows, rowLength), note));
        }
        return new ModelPlan(preset.name(), out, Optional.of(preset));
    }

    /**
     * Every quantizable tensor gets the first matching rule's target, else {@code defaultTarget}; norms, biases and
     * other tensors llama-quantize never converts stay as they are unless a rule names them. A tensor whose rows do
     * not fit its target is kept, with a note saying why.
     */
    public static ModelPlan custom(String label, Model model, Target defaultTarget, List<OverrideRule> rules) {
        List<TensorPlan> out = new ArrayList<>(model.tensors().size());
        for (TensorInfo t : model.tensors()) {
            SourceTensor s = SourceTensor.of(t);
            long rowLength = s.rowLength();
            long rows = rows(t, rowLength);
            Optional<OverrideRule> rule = rules.stream().filter(r -> r.matches(t.name())).findFirst();
            Target wanted = rule.map(OverrideRule::target)
                    .orElse(QuantizableTensors.allowsQuantization(t.name(), s.ne()) ? defaultTarget : Target.KEEP);
            Optional<String> problem = wanted.unsupportedReason(rowLength);
            Target target = problem.isPresent() ? Target.KEEP : wanted;
            out.add(new TensorPlan(t.name(), rows, rowLength, t.dtype(), target,
                    target.size(t.dtype(), rows, rowLength), problem.map(p -> p + ": kept").orElse("")));
        }
        return new ModelPlan(label, out, Optional.empty());
    }

    /** Hyper-parameters for the preset rules: a GGUF's own, else what the layer grouping tells. */
    static ModelHparams hparams(Model model) {
        if (model.details() instanceof GgufFile gguf) return ModelHparams.of(gguf);
        int layers = (int) model.layers().stream().filter(g -> g.index() >= 0).mapToInt(LayerGroup::index).distinct().count();
        return new ModelHparams(model.architecture(), layers, 0, 0, 0);
    }

    private static long rows(TensorInfo t, long rowLength) {
        long n = t.parameters();
        return rowLength == 0 ? 0 : n / rowLength;
    }
}
