package dev.quantscope.app.shell;

import dev.quantscope.app.document.ModelDocument;
import javafx.scene.control.Tab;
import javafx.scene.control.TabPane;

import java.util.List;
import java.util.Set;

/**
 * Which of a document's pages show: a Llama's (Generate, the KLD Trade-off) until the model turns out to be a
 * classifier, then the classifier's (Accuracy, Distill, the accuracy Trade-off) instead. The tabs keep the order of
 * document.fxml; the page in front stays in front when it is shown for both kinds.
 */
final class DocumentPages {
    static final Set<String> CLASSIFIER_ONLY = Set.of("accuracyPage", "distillPage", "classifierTradeoffPage");
    static final Set<String> LLAMA_ONLY = Set.of(ModelDocument.GENERATE_PAGE, "tradeoffPage");

    private DocumentPages() {}

    /** Shows the pages for what the model is now, and again once its weights say whether it is a classifier. */
    static void follow(TabPane pages, ModelDocument doc) {
        List<Tab> all = List.copyOf(pages.getTabs());
        show(pages, all, doc.isClassifier());
        doc.classifier().stateProperty().addListener(_ -> show(pages, all, doc.isClassifier()));
    }

    private static void show(TabPane pages, List<Tab> all, boolean classifier) {
        Set<String> hidden = classifier ? LLAMA_ONLY : CLASSIFIER_ONLY;
        List<Tab> shown = all.stream().filter(t -> !hidden.contains(t.getId())).toList();
        if (!pages.getTabs().equals(shown)) pages.getTabs().setAll(shown);
    }
}
