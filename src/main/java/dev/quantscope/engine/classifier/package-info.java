/**
 * Image classifiers (MLPs and small CNNs): their architecture, their weights, inference, the IDX data sets they read
 * and their accuracy. Training lives above, in {@code dev.quantscope.train}, which adds backward passes to these
 * layers.
 */
package dev.quantscope.engine.classifier;
