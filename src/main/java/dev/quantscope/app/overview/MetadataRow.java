package dev.quantscope.app.overview;

/** One metadata entry as the overview table shows it: key, value kind, and a display value of bounded length. */
public record MetadataRow(String key, String type, String value) {}
