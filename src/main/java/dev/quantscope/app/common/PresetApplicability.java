package dev.quantscope.app.common;

import dev.quantscope.failure.FailureDescriber;
import dev.quantscope.format.Model;
import dev.quantscope.pipeline.plan.Plans;
import dev.quantscope.quant.preset.Preset;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Whether llama-quantize would take a preset for one model, and if not, why in one sentence. Every page that offers
 * presets asks this one check, so a preset greyed out on one page is greyed out on all of them for the same reason.
 *
 * @param refusal why the preset cannot apply, or empty when it can
 */
public record PresetApplicability(Preset preset, Optional<String> refusal) {

    public boolean applies() { return refusal.isEmpty(); }

    /**
     * Every preset, in {@link Preset}'s order (the order the pages list them), checked on {@code model}. Planning
     * reads only names and shapes, no weights, so this is cheap enough for the FX thread.
     */
    public static List<PresetApplicability> of(Model model) {
        List<PresetApplicability> out = new ArrayList<>();
        for (Preset p : Preset.values()) {
            Optional<String> refusal;
            try {
                Plans.ofPreset(p, model);
                refusal = Optional.empty();
            } catch (RuntimeException e) {
                // Whatever makes planning fail makes an export or a sweep refuse the preset too.
                refusal = Optional.of(FailureDescriber.describe(e));
            }
            out.add(new PresetApplicability(p, refusal));
        }
        return List.copyOf(out);
    }
}
