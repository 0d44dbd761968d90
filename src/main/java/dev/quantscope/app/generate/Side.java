package dev.quantscope.app.generate;

/** The two panes of the generation page. */
public enum Side { ORIGINAL, VARIANT }
