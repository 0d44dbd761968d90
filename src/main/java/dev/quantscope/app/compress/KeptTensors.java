package dev.quantscope.app.compress;

import dev.quantscope.pipeline.plan.ModelPlan;
import dev.quantscope.pipeline.plan.TensorPlan;
import dev.quantscope.quant.scheme.GgmlBlock;
import dev.quantscope.quant.scheme.QuantScheme;
import dev.quantscope.recipe.Recipe;
import dev.quantscope.recipe.RecipeBase;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Says in plain words why tensors are kept as they are: for the whole plan (a scheme that some or all tensors cannot
 * take, which would otherwise change nothing without a word) and for one tensor (the "How it works" panel).
 */
final class KeptTensors {
    private KeptTensors() {}

    /** What the recipe engine writes as the decider of 1-D and normalisation weights. */
    private static final String VECTOR_OR_NORM = "1-D/norm kept";

    /**
     * Which tensors could not take the scheme asked for and why, grouped by that scheme, or "" when every tensor
     * took it. When no tensor of the model changes, it says so: the plan is then the source itself.
     */
    static String summary(ModelPlan plan) {
        Map<String, List<TensorPlan>> byScheme = new LinkedHashMap<>();
        Map<String, Optional<QuantScheme>> schemeOf = new LinkedHashMap<>();
        for (TensorPlan t : plan.tensors()) {
            if (t.note().isEmpty()) continue;
            Optional<QuantScheme> asked = askedFor(plan.recipe(), t.name());
            String name = asked.map(KeptTensors::name).orElse("the preset's type");
            byScheme.computeIfAbsent(name, _ -> new ArrayList<>()).add(t);
            schemeOf.putIfAbsent(name, asked);
        }
        if (byScheme.isEmpty()) return "";
        boolean nothingChanges = plan.tensors().stream().noneMatch(TensorPlan::changesValues);
        if (nothingChanges && byScheme.size() == 1) {
            String name = byScheme.keySet().iterator().next();
            return "No tensor of this model can take " + name + ": "
                    + reason(byScheme.get(name), schemeOf.get(name), "its") + "; every tensor would be kept as is.";
        }
        List<String> sentences = new ArrayList<>();
        byScheme.forEach((name, tensors) -> {
            int n = tensors.size();
            sentences.add(n + (n == 1 ? " tensor cannot take " : " tensors cannot take ") + name
                    + (n == 1 ? " and is kept as it is: " : " and are kept as they are: ")
                    + reason(tensors, schemeOf.get(name), n == 1 ? "its" : "their") + ".");
        });
        if (nothingChanges) sentences.add("No tensor changes: the export would be the source as it is.");
        return String.join(" ", sentences);
    }

    /**
     * Why one tensor keeps its source values (call only when it does: {@link TensorPlan#changesValues()} false),
     * in words that fit a tensor with nothing quantized: no code, no levels, no error.
     */
    static String why(TensorPlan t) {
        String reason;
        if (!t.note().isEmpty()) {
            reason = "it cannot take the scheme asked for: " + t.note().replaceFirst(": kept$", "");
        } else if (VECTOR_OR_NORM.equals(t.decidedBy())) {
            reason = "1-D and normalisation weights stay unquantized, as llama-quantize leaves them";
        } else if (t.scheme() instanceof dev.quantscope.quant.scheme.Cast) {
            reason = "the cast is to " + t.source() + ", the type it already has";
        } else {
            reason = "the choice for it (" + t.decidedBy() + ") is to keep it";
        }
        return "Kept as it is: " + reason + ". Its values are copied unchanged, so every weight is exact.";
    }

    /** The scheme the recipe asked for this tensor: its first matching rule's, else the custom default scheme. */
    private static Optional<QuantScheme> askedFor(Recipe recipe, String tensor) {
        int rule = recipe.schemeRule(tensor);
        if (rule >= 0) return recipe.rules().get(rule).scheme();
        return switch (recipe.base()) {
            case RecipeBase.DefaultScheme d -> Optional.of(d.scheme());
            case RecipeBase.PresetChoices _ -> Optional.empty();
        };
    }

    private static String reason(List<TensorPlan> tensors, Optional<QuantScheme> asked, String possessive) {
        if (asked.isPresent() && asked.get() instanceof GgmlBlock g
                && tensors.stream().allMatch(t -> t.rowLength() % g.type().blockElements() != 0)) {
            String lengths = tensors.stream().map(TensorPlan::rowLength).distinct().sorted().map(String::valueOf)
                    .collect(Collectors.joining(", "));
            return possessive + " rows (" + lengths + ") are not multiples of " + g.type().blockElements();
        }
        return tensors.stream().map(t -> t.note().replaceFirst(": kept$", "")).distinct()
                .collect(Collectors.joining("; "));
    }

    /** "Q4_K" for a ggml block type, the scheme's label otherwise. */
    private static String name(QuantScheme s) {
        return s instanceof GgmlBlock g ? g.type().name() : s.label();
    }
}
