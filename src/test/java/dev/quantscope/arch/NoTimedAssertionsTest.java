package dev.quantscope.arch;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * No test measures the JVM or the clock. What a test asserts must not depend on what the JIT has compiled, on the
 * GC or on how loaded the machine is: such tests failed clean-clone runs that were otherwise green. Speed and
 * allocation figures belong to the bench commands (bench MODEL --json reports both).
 */
class NoTimedAssertionsTest {
    private final JavaClasses tests = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.ONLY_INCLUDE_TESTS)
            .importPackages("dev.quantscope");

    @Test
    void noTestReadsTheJvmsAllocationOrCpuCounters() {
        noClasses().should().dependOnClassesThat().resideInAnyPackage("java.lang.management..", "com.sun.management..")
                .because("bytes allocated depend on what C2 has compiled by then; check the code path instead "
                        + "(see engine/llama AllocationFreeTest)")
                .check(tests);
    }

    @Test
    void noTestReadsTheClock() {
        // A fresh name (a preferences node, a temp file) comes from UUID.randomUUID(), not from the clock.
        noClasses().should().callMethod(System.class, "nanoTime")
                .orShould().callMethod(System.class, "currentTimeMillis")
                .because("how long something took depends on the machine's load; a hang guard is an "
                        + "assertTimeoutPreemptively or @Timeout of 30 s or more")
                .check(tests);
    }
}
