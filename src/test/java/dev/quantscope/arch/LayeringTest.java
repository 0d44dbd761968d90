package dev.quantscope.arch;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/** The engine never depends on JavaFX or on the GUI: one engine serves the GUI, the CLI and the tests. */
class LayeringTest {
    private final JavaClasses classes = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.quantscope");

    @Test
    void nothingOutsideAppUsesJavaFx() {
        noClasses().that().resideOutsideOfPackage("dev.quantscope.app..")
                .should().dependOnClassesThat().resideInAnyPackage("javafx..", "org.controlsfx..", "org.jfree..",
                        "atlantafx..")
                .check(classes);
    }

    @Test
    void engineDoesNotDependOnTheGui() {
        noClasses().that().resideOutsideOfPackage("dev.quantscope.app..")
                .and().doNotHaveFullyQualifiedName("dev.quantscope.Launcher")
                .should().dependOnClassesThat().resideInAPackage("dev.quantscope.app..")
                .check(classes);
    }
}
