package dev.quantscope.app.common;

/** One row of a two-column property table. */
public record KeyValue(String key, String value) {}
