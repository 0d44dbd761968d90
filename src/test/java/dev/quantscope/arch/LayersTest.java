package dev.quantscope.arch;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.Architectures.LayeredArchitecture;
import org.junit.jupiter.api.Test;

import java.util.List;

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

    /** The layers bottom up, one level per row: a level's packages may use every level below it, never above. */
    private static final List<List<String>> LEVELS = List.of(
            List.of("tensor", "task", "failure"),
            List.of("format"),
            List.of("stats", "engine"),
            List.of("quant", "prune", "train"),
            List.of("recipe"),
            List.of("pipeline"),
            List.of("eval", "distill"),
            List.of("cli", "app"));

    private static List<String> allPackages() {
        return LEVELS.stream().flatMap(List::stream).toList();
    }

    @Test
    void eachLayerIsUsedOnlyByTheLayersAboveIt() {
        LayeredArchitecture rule = layeredArchitecture().consideringOnlyDependenciesInLayers().withOptionalLayers(true);
        for (String pkg : allPackages()) rule = rule.layer(pkg).definedBy(ROOT + pkg + "..");
        for (int level = 0; level < LEVELS.size(); level++) {
            String[] above = LEVELS.subList(level + 1, LEVELS.size()).stream().flatMap(List::stream)
                    .toArray(String[]::new);
            for (String pkg : LEVELS.get(level)) {
                rule = above.length == 0 ? rule.whereLayer(pkg).mayNotBeAccessedByAnyLayer()
                        : rule.whereLayer(pkg).mayOnlyBeAccessedByLayers(above);
            }
        }
        rule.check(classes);
    }

    @Test
    void everyPackageHasItsPlaceInTheLayers() {
        // A new top-level package must be placed in LEVELS before it can land; the Launcher picks GUI or CLI.
        String[] packages = allPackages().stream().map(p -> ROOT + p + "..").toArray(String[]::new);
        classes().that().doNotHaveFullyQualifiedName("dev.quantscope.Launcher")
                .should().resideInAnyPackage(packages)
                .because("a new top-level package must first be placed in LayersTest's layers")
                .check(classes);
    }
}
