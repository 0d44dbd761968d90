package dev.quantscope.arch;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.Architectures.LayeredArchitecture;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;

/**
 * The layers of QuantScope, from the bottom up; a layer may use the layers below it and never one above, so no import
 * runs back up (the cycle quant → recipe that issue 12 found is what this forbids). Layers on one line are siblings
 * that do not use each other. {@code prune}, {@code train} and {@code distill} do not exist yet: they are declared
 * in their places now, so the rule covers them the day they land.
 *
 * <pre>
 *   cli, app                       the two front ends
 *   eval, distill                  measuring a model, and compressing by teaching
 *   pipeline                       one plan, one converter, over every compression
 *   recipe                         rules that choose a type per tensor
 *   quant, prune, train            compressing one tensor / one model
 *   stats, engine                  statistics of tensors; the inference engine
 *   format                         model files
 *   tensor, task, failure          tensors and dtypes; progress and cancel; one sentence per failure
 * </pre>
 */
class LayersTest {
    private static final String ROOT = "dev.quantscope.";

    private final JavaClasses classes = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.quantscope");

    /** Every layer, bottom up, as {name, its top-level package}. */
    private static final String[][] LAYERS = {
            {"Tensor", "tensor"}, {"Task", "task"}, {"Failure", "failure"},
            {"Format", "format"},
            {"Stats", "stats"}, {"Engine", "engine"},
            {"Quant", "quant"}, {"Prune", "prune"}, {"Train", "train"},
            {"Recipe", "recipe"},
            {"Pipeline", "pipeline"},
            {"Eval", "eval"}, {"Distill", "distill"},
            {"Cli", "cli"}, {"App", "app"},
    };

    private static LayeredArchitecture layers() {
        LayeredArchitecture rule = layeredArchitecture().consideringOnlyDependenciesInLayers().withOptionalLayers(true);
        for (String[] layer : LAYERS) rule = rule.layer(layer[0]).definedBy(ROOT + layer[1] + "..");
        return rule;
    }

    @Test
    void eachLayerIsUsedOnlyByTheLayersAboveIt() {
        layers()
                .whereLayer("Tensor").mayOnlyBeAccessedByLayers(
                        "Format", "Stats", "Engine", "Quant", "Prune", "Train", "Recipe", "Pipeline", "Eval",
                        "Distill", "Cli", "App")
                .whereLayer("Task").mayOnlyBeAccessedByLayers(
                        "Format", "Stats", "Engine", "Quant", "Prune", "Train", "Recipe", "Pipeline", "Eval",
                        "Distill", "Cli", "App")
                .whereLayer("Failure").mayOnlyBeAccessedByLayers(
                        "Format", "Stats", "Engine", "Quant", "Prune", "Train", "Recipe", "Pipeline", "Eval",
                        "Distill", "Cli", "App")
                .whereLayer("Format").mayOnlyBeAccessedByLayers(
                        "Stats", "Engine", "Quant", "Prune", "Train", "Recipe", "Pipeline", "Eval", "Distill",
                        "Cli", "App")
                .whereLayer("Stats").mayOnlyBeAccessedByLayers(
                        "Quant", "Prune", "Train", "Recipe", "Pipeline", "Eval", "Distill", "Cli", "App")
                .whereLayer("Engine").mayOnlyBeAccessedByLayers(
                        "Quant", "Prune", "Train", "Recipe", "Pipeline", "Eval", "Distill", "Cli", "App")
                .whereLayer("Quant").mayOnlyBeAccessedByLayers(
                        "Recipe", "Pipeline", "Eval", "Distill", "Cli", "App")
                .whereLayer("Prune").mayOnlyBeAccessedByLayers(
                        "Recipe", "Pipeline", "Eval", "Distill", "Cli", "App")
                .whereLayer("Train").mayOnlyBeAccessedByLayers(
                        "Recipe", "Pipeline", "Eval", "Distill", "Cli", "App")
                .whereLayer("Recipe").mayOnlyBeAccessedByLayers("Pipeline", "Eval", "Distill", "Cli", "App")
                .whereLayer("Pipeline").mayOnlyBeAccessedByLayers("Eval", "Distill", "Cli", "App")
                .whereLayer("Eval").mayOnlyBeAccessedByLayers("Cli", "App")
                .whereLayer("Distill").mayOnlyBeAccessedByLayers("Cli", "App")
                .whereLayer("Cli").mayNotBeAccessedByAnyLayer()
                .whereLayer("App").mayNotBeAccessedByAnyLayer()
                .check(classes);
    }

    @Test
    void everyPackageHasItsPlaceInTheLayers() {
        // A new top-level package must be placed in LAYERS before it can land; the Launcher picks GUI or CLI.
        String[] packages = new String[LAYERS.length];
        for (int i = 0; i < LAYERS.length; i++) packages[i] = ROOT + LAYERS[i][1] + "..";
        classes().that().doNotHaveFullyQualifiedName("dev.quantscope.Launcher")
                .should().resideInAnyPackage(packages)
                .because("a new top-level package must first be placed in LayersTest's layers")
                .check(classes);
    }
}
