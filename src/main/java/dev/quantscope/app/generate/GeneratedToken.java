package dev.quantscope.app.generate;

/** One generated token as a pane shows it: its position, id and the text it completed. */
public record GeneratedToken(int index, int id, String text) {}
